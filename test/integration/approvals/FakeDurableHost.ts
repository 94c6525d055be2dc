// Test infrastructure: the Durable Functions extension's HTTP API as the durable client sees it through
// `rpcBaseUrl` (durable-functions 3.5, lib/src/durableClient/DurableClient.js): GET instances/{id}
// answers an orchestration status, POST instances/{id}/raiseEvent/{name} is recorded.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeInstance {
  runtimeStatus: string;
  customStatus: unknown;
}

export interface RaisedEvent {
  instanceId: string;
  name: string;
  body: unknown;
}

export class FakeDurableHost {
  readonly instances = new Map<string, FakeInstance>();
  readonly raised: RaisedEvent[] = [];
  /** Status codes to answer the next raiseEvent calls with, instead of 202. */
  readonly raiseFaults: number[] = [];

  private constructor(
    private readonly server: Server,
    readonly rpcBaseUrl: string,
  ) {}

  static async start(): Promise<FakeDurableHost> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const host = new FakeDurableHost(server, `http://127.0.0.1:${port}/durabletask/`);
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

  eventsFor(instanceId: string): RaisedEvent[] {
    return this.raised.filter((e) => e.instanceId === instanceId);
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
    const raise = /^instances\/([^/]+)\/raiseEvent\/(.+)$/.exec(path);
    if (req.method === 'POST' && raise) {
      const [, instanceId = '', name = ''] = raise;
      const fault = this.raiseFaults.shift();
      if (fault !== undefined) return { status: fault, body: { message: 'injected fault' } };
      if (!this.instances.has(instanceId)) return { status: 404 };
      this.raised.push({
        instanceId,
        name,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown,
      });
      return { status: 202 };
    }
    const get = /^instances\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && get) {
      const instanceId = get[1] ?? '';
      const instance = this.instances.get(instanceId);
      if (!instance) return { status: 404 };
      return {
        status: 200,
        body: {
          name: 'deployRelease',
          instanceId,
          createdTime: '2026-11-25T09:00:00Z',
          lastUpdatedTime: '2026-11-25T09:30:00Z',
          input: null,
          output: null,
          runtimeStatus: instance.runtimeStatus,
          customStatus: instance.customStatus,
        },
      };
    }
    return { status: 400, body: { message: `fake durable host: no route for ${req.method} ${path}` } };
  }
}
