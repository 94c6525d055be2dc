// Test infrastructure: the Durable Functions extension's HTTP API as the durable client sees it through
// `rpcBaseUrl` (durable-functions 3.5, DurableClient.js): GET instances/{id} answers 404 until the instance
// was started, then a Pending status; POST orchestrators/{name}/{id} is recorded and starts it.
// (The same idea as test/integration/approvals/FakeDurableHost.ts, which serves approvals, not starts.)
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedStart {
  orchestrator: string;
  instanceId: string;
  input: unknown;
}

export class FakeDurableStarts {
  readonly starts: RecordedStart[] = [];
  /** Status codes for the next start requests instead of 202 (the extension failing). */
  readonly startFaults: number[] = [];

  private constructor(
    private readonly server: Server,
    readonly rpcBaseUrl: string,
  ) {}

  static async start(): Promise<FakeDurableStarts> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const host = new FakeDurableStarts(server, `http://127.0.0.1:${port}/durabletask/`);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      void host.handle(req).then(({ status, body }) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(body === undefined ? '' : JSON.stringify(body));
      });
    });
    return host;
  }

  /** The durable client binding's data, as the host puts it into the InvocationContext's extraInputs. */
  get clientData(): Record<string, unknown> {
    return {
      taskHubName: 'bricklanehub',
      creationUrls: {},
      managementUrls: {},
      baseUrl: this.rpcBaseUrl,
      rpcBaseUrl: this.rpcBaseUrl,
      requiredQueryStringParameters: '',
    };
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body?: unknown }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(
      /^\/durabletask\//,
      '',
    );
    const start = /^orchestrators\/([^/]+)\/([^/]+)$/.exec(path);
    if (req.method === 'POST' && start) {
      const [, orchestrator = '', instanceId = ''] = start;
      const fault = this.startFaults.shift();
      if (fault !== undefined) return { status: fault, body: { message: 'injected fault' } };
      const text = Buffer.concat(chunks).toString('utf8');
      this.starts.push({ orchestrator, instanceId, input: text ? (JSON.parse(text) as unknown) : undefined });
      return { status: 202, body: { id: instanceId } };
    }
    const get = /^instances\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && get) {
      const instanceId = get[1] ?? '';
      const started = this.starts.find((s) => s.instanceId === instanceId);
      if (!started) return { status: 404 };
      return {
        status: 200,
        body: {
          name: started.orchestrator,
          instanceId,
          createdTime: '2026-11-25T09:00:00Z',
          lastUpdatedTime: '2026-11-25T09:00:01Z',
          input: started.input,
          output: null,
          runtimeStatus: 'Pending',
          customStatus: null,
        },
      };
    }
    return { status: 400, body: { message: `fake durable host: no route for ${req.method} ${path}` } };
  }
}
