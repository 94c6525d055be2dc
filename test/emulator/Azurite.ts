// Test infrastructure: starts the real Azurite storage emulator (from node_modules) on free ports.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer, connect } from 'node:net';
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

  static async start(options: AzuriteOptions = {}): Promise<Azurite> {
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
    const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const azurite = new Azurite(child, blobPort, queuePort, tablePort);
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`azurite exited with ${child.exitCode}: ${stderr}`);
      if ((await canConnect(blobPort)) && (await canConnect(queuePort)) && (await canConnect(tablePort)))
        break;
      if (Date.now() > deadline) {
        child.kill();
        throw new Error(`azurite did not open its ports within 20 s: ${stderr}`);
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

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
