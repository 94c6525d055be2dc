// Test infrastructure: the Durable Functions extension's HTTP API as the durable client sees it through
// `rpcBaseUrl` (durable-functions 3.5, lib/src/durableClient/DurableClient.js), for handlers called
// directly in tests: GET instances/{id} answers a status (seeded, or Pending once started),
// POST orchestrators/{name}/{id} and POST instances/{id}/raiseEvent/{name} are recorded.
import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeInstance {
  name?: string;
  runtimeStatus: string;
  customStatus: unknown;
  input?: unknown;
}

export interface RecordedStart {
  orchestrator: string;
  instanceId: string;
  input: unknown;
}

export interface RaisedEvent {
  instanceId: string;
  name: string;
  body: unknown;
}

export class FakeDurableApi {
  readonly instances = new Map<string, FakeInstance>();
  readonly starts: RecordedStart[] = [];
  readonly raised: RaisedEvent[] = [];
  /** Status codes to answer the next start / raiseEvent calls with, instead of 202 (the extension failing). */
  readonly startFaults: number[] = [];
  readonly raiseFaults: number[] = [];
  /** Status codes to answer the next GET instances/{id} calls with (storage behind the extension failing). */
  readonly statusFaults: number[] = [];
  /** The next start loses a race with another delivery: the instance exists, the extension answers 500. */
  loseNextStartRace = false;

  private constructor(
    private readonly server: Server,
    readonly rpcBaseUrl: string,
  ) {}

  static async start(): Promise<FakeDurableApi> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const api = new FakeDurableApi(server, `http://127.0.0.1:${port}/durabletask/`);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      void api.handle(req).then(({ status, body }) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(body === undefined ? '' : JSON.stringify(body));
      });
    });
    return api;
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

  /** A function's InvocationContext whose durable client binding points here, as the host builds it. */
  invocationContext(functionName: string): InvocationContext {
    const binding = df.input.durableClient();
    const context = new InvocationContext({ functionName, options: { extraInputs: [binding] } });
    context.extraInputs.set(binding, this.clientData);
    return context;
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
    const text = Buffer.concat(chunks).toString('utf8');
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(
      /^\/durabletask\//,
      '',
    );
    const start = /^orchestrators\/([^/]+)\/([^/]+)$/.exec(path);
    if (req.method === 'POST' && start) {
      const [, orchestrator = '', instanceId = ''] = start;
      const fault = this.startFaults.shift();
      if (fault !== undefined) return { status: fault, body: { message: 'injected fault' } };
      const input = text ? (JSON.parse(text) as unknown) : undefined;
      if (this.loseNextStartRace) {
        this.loseNextStartRace = false;
        this.instances.set(instanceId, {
          name: orchestrator,
          runtimeStatus: 'Running',
          customStatus: null,
          input,
        });
        return {
          status: 500,
          body: { ExceptionType: 'DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException' },
        };
      }
      this.starts.push({ orchestrator, instanceId, input });
      this.instances.set(instanceId, {
        name: orchestrator,
        runtimeStatus: 'Pending',
        customStatus: null,
        input,
      });
      return { status: 202, body: { id: instanceId } };
    }
    const raise = /^instances\/([^/]+)\/raiseEvent\/(.+)$/.exec(path);
    if (req.method === 'POST' && raise) {
      const [, instanceId = '', name = ''] = raise;
      const fault = this.raiseFaults.shift();
      if (fault !== undefined) return { status: fault, body: { message: 'injected fault' } };
      if (!this.instances.has(instanceId)) return { status: 404 };
      this.raised.push({ instanceId, name, body: JSON.parse(text) as unknown });
      return { status: 202 };
    }
    const get = /^instances\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && get) {
      const instanceId = get[1] ?? '';
      const fault = this.statusFaults.shift();
      if (fault !== undefined) return { status: fault, body: { message: 'injected fault' } };
      const instance = this.instances.get(instanceId);
      if (!instance) return { status: 404 };
      return {
        status: 200,
        body: {
          name: instance.name ?? 'deployRelease',
          instanceId,
          createdTime: '2026-11-25T09:00:00Z',
          lastUpdatedTime: '2026-11-25T09:30:00Z',
          input: instance.input ?? null,
          output: null,
          runtimeStatus: instance.runtimeStatus,
          customStatus: instance.customStatus,
        },
      };
    }
    return { status: 400, body: { message: `fake durable API: no route for ${req.method} ${path}` } };
  }
}
