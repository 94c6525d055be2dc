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
  /** Count only writes whose body contains this text (the ledger write that records a `policies.` key). */
  bodyIncludes?: string;
  /** Kills the worker; resolves once it is gone. */
  kill: () => Promise<void>;
}

export class StorageProxy {
  private readonly writes = new Map<string, number>();
  private crash: WriteCrash | undefined;
  private lost: { container: string; remaining: number } | undefined;
  /** What the proxy did: kills during writes and answers lost, one line each. */
  readonly events: string[] = [];

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

  /**
   * A network blip on the way back: the n-th write to `container` (counted from now) is applied by storage,
   * and its answer is dropped with the connection, so the client's storage SDK retries a write that already
   * happened (StorageRetryPolicy retries ECONNRESET).
   */
  loseAnswer(container: string, at: number): void {
    this.lost = { container, remaining: at };
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
    const [, , container = '', ...blob] = url.pathname.split('/');
    const isBlobWrite = req.method === 'PUT' && blob.length > 0 && !url.searchParams.has('restype');
    // The whole body first: a kill may depend on what the write says.
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    let crash: WriteCrash | undefined;
    let loseAnswer = false;
    let index = 0;
    if (isBlobWrite) {
      const count = (this.writes.get(container) ?? 0) + 1;
      this.writes.set(container, count);
      index = count;
      const armed = this.crash;
      if (armed?.container === container && armed.bodyIncludes !== undefined) {
        if (body.includes(armed.bodyIncludes)) armed.at -= 1;
        if (armed.at === 0) {
          crash = armed;
          this.crash = undefined;
        }
      } else if (armed?.container === container && armed.at === count) {
        crash = armed;
        this.crash = undefined;
      }
      if (!crash && this.lost?.container === container && --this.lost.remaining === 0) {
        this.lost = undefined;
        loseAnswer = true;
      }
    }
    if (crash?.when === 'before-applied') {
      this.events.push(`${container} write ${index} never reached storage (the worker died first)`);
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
      if (crash || loseAnswer) {
        // Applied by storage; the answer never reaches the worker (dead, or the connection dropped).
        this.events.push(
          `${container} write ${index} applied by storage, its answer lost ` +
            (crash ? 'with the worker' : 'on the way back'),
        );
        answer.resume();
        void (crash ? crash.kill() : Promise.resolve()).then(() => req.socket.destroy());
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
      answer.pipe(res);
    });
    upstream.end(body);
  }
}
