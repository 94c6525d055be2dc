// Test infrastructure: the worker's road to Azurite's blob service, watched by the chaos harness. It passes
// every request through unchanged, counts the writes per container, and can kill the worker during the
// n-th write to one container (the ledger's): either before the write reaches storage (it never happens),
// or after storage applied it but before the answer reaches the worker (it happened; nobody knows).
// Blob REST: https://learn.microsoft.com/rest/api/storageservices/put-blob (a PUT on the blob's URL).
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WriteCrash {
  container: string;
  /** 1-based: the n-th blob write to the container through this proxy. */
  at: number;
  when: 'before-applied' | 'after-applied';
  /** Kills the worker; resolves once it is gone. */
  kill: () => Promise<void>;
}

export class StorageProxy {
  private readonly writes = new Map<string, number>();
  private crash: WriteCrash | undefined;
  /** What happened to the armed crash: described once it fired. */
  fired: string | undefined;

  private constructor(
    private readonly server: Server,
    private readonly target: () => number,
  ) {}

  /** `blobPort` is asked per request: Azurite restarted after an outage keeps its port, but ask anyway. */
  static async start(blobPort: () => number): Promise<StorageProxy> {
    const server = createServer();
    const proxy = new StorageProxy(server, blobPort);
    server.on('request', (req, res) => void proxy.forward(req, res));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The connection string with its blob endpoint through this proxy. */
  route(connectionString: string): string {
    return connectionString.replace(
      /BlobEndpoint=http:\/\/127\.0\.0\.1:\d+\//,
      `BlobEndpoint=http://127.0.0.1:${this.port}/`,
    );
  }

  /** Blob writes (PUT on a blob, not on the container) to `container` so far. */
  writeCount(container: string): number {
    return this.writes.get(container) ?? 0;
  }

  /** Arms a kill for the current worker (counting its writes from now), or none. */
  arm(crash: WriteCrash | undefined): void {
    this.crash = crash;
    if (crash) this.writes.set(crash.container, 0);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((done) => this.server.close(() => done()));
  }

  private async forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://proxy.invalid');
    // Path-style: /<account>/<container>/<blob>; a container PUT carries restype=container.
    const [, , container, ...blob] = url.pathname.split('/');
    const isBlobWrite =
      req.method === 'PUT' && container !== undefined && blob.length > 0 && !url.searchParams.has('restype');
    let crash: WriteCrash | undefined;
    if (isBlobWrite && container) {
      const count = (this.writes.get(container) ?? 0) + 1;
      this.writes.set(container, count);
      if (this.crash?.container === container && this.crash.at === count) {
        crash = this.crash;
        this.crash = undefined;
      }
    }
    if (crash?.when === 'before-applied') {
      this.fired = `${container} write ${crash.at} never reached storage (the worker died first)`;
      await crash.kill();
      req.socket.destroy();
      return;
    }
    const upstream = request({
      host: '127.0.0.1',
      port: this.target(),
      method: req.method,
      path: req.url,
      headers: req.headers,
    });
    upstream.once('error', () => req.socket.destroy());
    upstream.once('response', (answer) => {
      if (crash) {
        // Applied by storage; the worker dies before it hears so.
        const fired = crash;
        this.fired = `${container} write ${fired.at} applied by storage, its answer lost with the worker`;
        answer.resume();
        void fired.kill().then(() => req.socket.destroy());
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
      answer.pipe(res);
    });
    req.pipe(upstream);
  }
}
