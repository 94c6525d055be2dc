// Test infrastructure: starts the real Azurite storage emulator (from node_modules) on free ports.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ACCOUNT = 'devstoreaccount1';
// Azurite's published well-known development key (not a secret).
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteOptions {
  /** Persist to this folder; in memory when absent. */
  location?: string;
}

export class Azurite {
  private constructor(
    private readonly child: ChildProcess,
    readonly blobPort: number,
    readonly queuePort: number,
    readonly tablePort: number,
  ) {}

  get connectionString(): string {
    return [
      'DefaultEndpointsProtocol=http',
      `AccountName=${ACCOUNT}`,
      `AccountKey=${KEY}`,
      `BlobEndpoint=http://127.0.0.1:${this.blobPort}/${ACCOUNT}`,
      `QueueEndpoint=http://127.0.0.1:${this.queuePort}/${ACCOUNT}`,
      `TableEndpoint=http://127.0.0.1:${this.tablePort}/${ACCOUNT}`,
    ].join(';');
  }

  /**
   * Ports are picked free, then handed to Azurite, which binds them a second or two later; another process
   * (a parallel test worker) may take one in between. Such a start is retried on fresh ports.
   */
  static async start(options: AzuriteOptions = {}): Promise<Azurite> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await Azurite.startOnFreePorts(options);
      } catch (error) {
        if (!(error instanceof PortTakenError) || attempt >= 5) throw error;
      }
    }
  }

  private static async startOnFreePorts(options: AzuriteOptions): Promise<Azurite> {
    const [blobPort, queuePort, tablePort] = [await freePort(), await freePort(), await freePort()];
    const bin = join(__dirname, '..', '..', 'node_modules', '.bin', 'azurite');
    const args = [
      '--silent',
      '--skipApiVersionCheck',
      '--disableTelemetry',
      '--blobPort',
      String(blobPort),
      '--queuePort',
      String(queuePort),
      '--tablePort',
      String(tablePort),
    ];
    if (options.location) {
      mkdirSync(options.location, { recursive: true });
      args.push('--location', options.location);
    } else {
      args.push('--inMemoryPersistence');
    }
    // In its own process group, so that a Ctrl-C at the terminal reaches only the sandbox, which then stops
    // Azurite itself (SIGTERM, a clean shutdown) before saving the world; killed too if this process exits.
    const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    const killOnExit = (): void => void child.kill('SIGTERM');
    process.once('exit', killOnExit);
    child.once('exit', () => process.removeListener('exit', killOnExit));
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = (): Error =>
      /EADDRINUSE/.test(stderr)
        ? new PortTakenError(`azurite found a port taken: ${stderr}`)
        : new Error(`azurite exited with ${child.exitCode}: ${stderr}`);
    const azurite = new Azurite(child, blobPort, queuePort, tablePort);
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw exited();
      // Azurite itself on every port, not merely something listening there.
      const answers = await Promise.all([
        serverHeader(blobPort),
        serverHeader(queuePort),
        serverHeader(tablePort),
      ]);
      if (answers.every((server) => server?.startsWith('Azurite-') === true)) break;
      if (answers.some((server) => server !== undefined && !server.startsWith('Azurite-'))) {
        await azurite.stop();
        throw new PortTakenError(`another server answers on one of azurite's ports: ${answers.join(', ')}`);
      }
      if (Date.now() > deadline) {
        child.kill();
        throw new Error(`azurite did not open its ports within 30 s: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return azurite;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGTERM');
    });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** The Server header of whatever answers HTTP on the port; undefined when nothing does (yet). */
function serverHeader(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const request = get({ host: '127.0.0.1', port, path: `/${ACCOUNT}`, timeout: 5000 }, (response) => {
      response.resume();
      resolve(String(response.headers.server ?? '(no Server header)'));
    });
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve(undefined));
  });
}

class PortTakenError extends Error {}
