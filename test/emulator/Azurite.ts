// Test infrastructure: starts the real Azurite storage emulator (from node_modules) on free ports, and can
// take it away for a while (a storage outage) and bring it back on the same ports with the same data.
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

interface Ports {
  blobPort: number;
  queuePort: number;
  tablePort: number;
}

export class Azurite {
  private constructor(
    private child: ChildProcess,
    readonly blobPort: number,
    readonly queuePort: number,
    readonly tablePort: number,
    private readonly location: string | undefined,
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
    const ports = { blobPort: await freePort(), queuePort: await freePort(), tablePort: await freePort() };
    const child = await launch(ports, options.location);
    return new Azurite(child, ports.blobPort, ports.queuePort, ports.tablePort, options.location);
  }

  /**
   * A storage outage: Azurite stops (connections refused), and after `durationInMs` starts again on the
   * same ports with the same data, so the same connection string reaches it and clients reconnect. Needs
   * a `location`: `--inMemoryPersistence` loses everything at stop.
   */
  async outage(durationInMs: number): Promise<void> {
    if (this.location === undefined) {
      throw new Error(
        'Azurite keeps its data in memory here and would lose it at stop: start it with a location to model an outage',
      );
    }
    await this.stop();
    await new Promise((resolve) => setTimeout(resolve, durationInMs));
    await this.restart();
  }

  /** Starts a stopped Azurite again on its ports and folder (a running one is stopped first). */
  async restart(): Promise<void> {
    await this.stop();
    const ports = { blobPort: this.blobPort, queuePort: this.queuePort, tablePort: this.tablePort };
    // The ports were ours a moment ago; a port another process took meanwhile is retried for a while.
    for (let attempt = 1; ; attempt += 1) {
      try {
        this.child = await launch(ports, this.location);
        return;
      } catch (error) {
        if (!(error instanceof PortTakenError) || attempt >= 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async stop(): Promise<void> {
    await stopChild(this.child);
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Spawns Azurite on the given ports and waits until Azurite itself answers on all three. */
async function launch(ports: Ports, location: string | undefined): Promise<ChildProcess> {
  const { blobPort, queuePort, tablePort } = ports;
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
  if (location) {
    mkdirSync(location, { recursive: true });
    args.push('--location', location);
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
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw exited();
    // Azurite itself on every port, not merely something listening there.
    const answers = await Promise.all([
      serverHeader(blobPort),
      serverHeader(queuePort),
      serverHeader(tablePort),
    ]);
    if (answers.every((server) => server?.startsWith('Azurite-') === true)) return child;
    if (answers.some((server) => server !== undefined && !server.startsWith('Azurite-'))) {
      await stopChild(child);
      throw new PortTakenError(`another server answers on one of azurite's ports: ${answers.join(', ')}`);
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`azurite did not open its ports within 30 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
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
