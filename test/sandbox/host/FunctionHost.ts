// Test infrastructure: a local stand-in for the Azure Functions host (func start) plus the Durable
// extension, for machines where Core Tools cannot be installed. It serves the app's HTTP functions at
// /<routePrefix>/<route> with the host's key rules, hands HTTP requests to the functions through the
// worker's invocation pipeline (FunctionApp.invoke), provides the durable client binding, and runs
// orchestrations, activities and timers, persisting them in Azurite so a restarted host resumes them.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import type { RpcHttpCookie, RpcHttpData, RpcTypedData } from './CoreApiTypes';
import { durableClientInput, type DurableClientInput } from './durableClientInput';
import { DurableExtension } from './DurableExtension';
import { DurableHttpApi, type DurableApiRequest, type DurableApiResponse } from './DurableHttpApi';
import { DurableStore } from './DurableStore';
import type {
  FunctionApp,
  FunctionLogEntry,
  InvocationInput,
  InvocationOutcome,
  RegisteredFunction,
} from './FunctionApp';
import type { HostClock } from './HostClock';
import { invokeWithTimeout } from './invokeWithTimeout';
import { readFunctionTimeout } from './readFunctionTimeout';
import { RouteTemplate } from './RouteTemplate';

export interface FunctionHostOptions {
  readonly app: FunctionApp;
  /** AzureWebJobsStorage: where durable state lives (an Azurite connection string). */
  readonly storageConnectionString: string;
  /** 0 or absent: a free port. */
  readonly port?: number;
  /** App settings, applied to process.env while the host runs (restored by stop()). */
  readonly settings?: Record<string, string>;
  readonly functionKey?: string;
  readonly masterKey?: string;
  readonly taskHubName?: string;
  readonly clock?: HostClock;
  readonly maxConcurrentActivities?: number;
  readonly maxConcurrentOrchestrations?: number;
  /** Replay each instance from scratch after every episode to catch nondeterminism (default true). */
  readonly checkDeterminism?: boolean;
  /** Delay before each orchestrator episode, as Azure's queues and history tables add (DurableExtension). */
  readonly episodeLatencyInMs?: number;
  readonly routePrefix?: string;
  readonly containerName?: string;
  readonly maxRequestBodyInBytes?: number;
  /**
   * The app's host.json (its functionTimeout applies to every invocation). Defaults to the repository's
   * host.json, the one src/index.ts ships with; a hosted deployment package passes its own.
   */
  readonly hostJsonPath?: string;
  readonly onLog?: (entry: HostLogEntry) => void;
}

export interface HostLogEntry {
  readonly time: string;
  readonly source: 'function' | 'host';
  readonly level: string;
  readonly message: string;
  readonly functionName?: string;
  readonly invocationId?: string;
}

interface HttpRoute {
  readonly fn: RegisteredFunction;
  readonly template: RouteTemplate;
}

const systemClock: HostClock = { now: () => Date.now() };
const MAX_LOG_ENTRIES = 2000;
const WEBHOOK_PREFIX = '/runtime/webhooks/durabletask/';
export const REPOSITORY_HOST_JSON = resolve(__dirname, '..', '..', '..', 'host.json');
const RPC_PREFIX = '/durabletask/';

export class FunctionHost {
  readonly logs: HostLogEntry[] = [];
  private readonly routes: HttpRoute[];
  private readonly previousEnv = new Map<string, string | undefined>();
  private durableExtension: DurableExtension | undefined;
  private durableApi: DurableHttpApi | undefined;
  private publicPort = 0;
  private rpcPort = 0;
  private stopped = false;

  readonly functionKey: string;
  readonly masterKey: string;
  /** The Durable extension's system key, carried by the webhook URLs in the client binding. */
  readonly systemKey: string;
  readonly routePrefix: string;
  /** host.json functionTimeout in ms; undefined when the app asked for none ("-1"). */
  readonly functionTimeoutInMs: number | undefined;

  private constructor(
    private readonly options: FunctionHostOptions,
    private readonly publicServer: Server,
    private readonly rpcServer: Server,
  ) {
    this.functionTimeoutInMs = readFunctionTimeout(options.hostJsonPath ?? REPOSITORY_HOST_JSON);
    this.functionKey = options.functionKey ?? randomBytes(24).toString('base64url');
    this.masterKey = options.masterKey ?? randomBytes(24).toString('base64url');
    this.systemKey = randomBytes(24).toString('base64url');
    this.routePrefix = (options.routePrefix ?? 'api').replace(/^\/+|\/+$/g, '');
    this.routes = options.app.functions
      .filter((fn) => fn.http)
      .map((fn) => ({ fn, template: new RouteTemplate(fn.http?.route ?? fn.name) }))
      .sort((a, b) => b.template.precedence - a.template.precedence);
  }

  static async start(options: FunctionHostOptions): Promise<FunctionHost> {
    const publicServer = createServer();
    const rpcServer = createServer();
    const host = new FunctionHost(options, publicServer, rpcServer);
    publicServer.on('request', (req, res) => void host.serve(req, res, 'public'));
    rpcServer.on('request', (req, res) => void host.serve(req, res, 'rpc'));
    host.publicPort = await listen(publicServer, options.port ?? 0);
    host.rpcPort = await listen(rpcServer, 0);
    try {
      await host.boot();
    } catch (error) {
      await host.stop();
      throw error;
    }
    return host;
  }

  /** e.g. http://127.0.0.1:7071 */
  get url(): string {
    return `http://127.0.0.1:${this.publicPort}`;
  }

  get port(): number {
    return this.publicPort;
  }

  get app(): FunctionApp {
    return this.options.app;
  }

  /** The stand-in extension: history, status, waitFor, counters. */
  get durable(): DurableExtension {
    if (!this.durableExtension) throw new Error('The host has not started');
    return this.durableExtension;
  }

  /** The value the durable client binding has in this host. */
  durableClientInput(): DurableClientInput {
    return durableClientInput({
      publicOrigin: this.url,
      rpcBaseUrl: `http://127.0.0.1:${this.rpcPort}${RPC_PREFIX}`,
      taskHubName: this.taskHubName,
      systemKey: this.systemKey,
    });
  }

  /**
   * Invokes any function (a blob or generic trigger, say) with a trigger value, as the host would when
   * its trigger fires; returns the function's return value and throws its error.
   */
  async invokeFunction(
    name: string,
    triggerValue: unknown,
    triggerMetadata: Record<string, unknown> = {},
  ): Promise<unknown> {
    const metadata: Record<string, RpcTypedData> = {};
    for (const [key, value] of Object.entries(triggerMetadata)) {
      const data = typedData(value);
      if (data) metadata[key] = data;
    }
    const outcome = await this.invoke(name, {
      triggerData: typedData(triggerValue),
      triggerMetadata: metadata,
      resolveInput: (binding) => this.resolveInput(binding.type),
    });
    if (!outcome.ok) throw outcome.error;
    return fromTypedData(outcome.response.returnValue ?? undefined);
  }

  /** Stops like a killed process: nothing further is committed; stored state stays for the next host. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.durableExtension?.stop();
    await Promise.all([close(this.publicServer), close(this.rpcServer)]);
    try {
      await this.app.runAppHooks('appTerminate', dirname(this.app.entryModulePath));
    } finally {
      for (const [key, value] of this.previousEnv) {
        if (value === undefined) Reflect.deleteProperty(process.env, key);
        else process.env[key] = value;
      }
      this.previousEnv.clear();
    }
  }

  private get taskHubName(): string {
    return this.options.taskHubName ?? 'sandbox';
  }

  private async boot(): Promise<void> {
    this.applySettings({
      FUNCTIONS_WORKER_RUNTIME: 'node',
      AzureWebJobsStorage: this.options.storageConnectionString,
      // durable-functions rewrites webhook URLs to localhost:7071 when WEBSITE_HOSTNAME is unset.
      WEBSITE_HOSTNAME: `127.0.0.1:${this.publicPort}`,
      ...this.options.settings,
    });
    this.app.setLogListener((entry) => this.functionLog(entry));
    await this.app.runAppHooks('appStart', dirname(this.app.entryModulePath));
    const store = await DurableStore.open(
      this.options.storageConnectionString,
      this.options.containerName ?? 'sandbox-durable',
      this.taskHubName,
    );
    this.durableExtension = await DurableExtension.start({
      app: this.app,
      store,
      clock: this.options.clock ?? systemClock,
      taskHubName: this.taskHubName,
      maxConcurrentActivities: this.options.maxConcurrentActivities ?? 8,
      maxConcurrentOrchestrations: this.options.maxConcurrentOrchestrations ?? 10,
      checkDeterminism: this.options.checkDeterminism ?? true,
      ...(this.options.episodeLatencyInMs ? { episodeLatencyInMs: this.options.episodeLatencyInMs } : {}),
      functionTimeoutInMs: this.functionTimeoutInMs,
      clientInput: () => this.durableClientInput(),
      log: (message) => this.hostLog('warning', message),
    });
    this.durableApi = new DurableHttpApi(this.durableExtension, () => this.durableClientInput());
  }

  private applySettings(settings: Record<string, string>): void {
    for (const [key, value] of Object.entries(settings)) {
      if (!this.previousEnv.has(key)) this.previousEnv.set(key, process.env[key]);
      process.env[key] = value;
    }
  }

  private async serve(req: IncomingMessage, res: ServerResponse, listener: 'public' | 'rpc'): Promise<void> {
    try {
      // Functions see the URL the caller used (its Host header), as behind the real host.
      const origin =
        listener === 'public'
          ? `http://${req.headers.host ?? `127.0.0.1:${this.publicPort}`}`
          : `http://127.0.0.1:${this.rpcPort}`;
      const url = new URL(req.url ?? '/', origin);
      const limit = this.options.maxRequestBodyInBytes ?? 100 * 1024 * 1024;
      const body = await readBody(req, limit);
      if (body === undefined) return send(res, { status: 413 });
      if (!this.durableApi || this.stopped) return send(res, { status: 503 });
      if (listener === 'rpc') {
        if (!url.pathname.startsWith(RPC_PREFIX)) return send(res, { status: 404 });
        return send(res, await this.durableApi.handle(apiRequest(req, url, body, RPC_PREFIX)));
      }
      if (url.pathname.toLowerCase().startsWith(WEBHOOK_PREFIX)) {
        const code = url.searchParams.get('code') ?? header(req, 'x-functions-key');
        if (code !== this.systemKey && code !== this.masterKey) return send(res, { status: 401 });
        return send(res, await this.durableApi.handle(apiRequest(req, url, body, WEBHOOK_PREFIX)));
      }
      const prefix = this.routePrefix ? `/${this.routePrefix}` : '';
      const lower = url.pathname.toLowerCase();
      if (prefix && lower !== prefix && !lower.startsWith(`${prefix}/`)) return send(res, { status: 404 });
      await this.serveFunction(req, res, url, url.pathname.slice(prefix.length) || '/', body);
    } catch (error) {
      this.hostLog(
        'error',
        `request ${req.method} ${req.url} failed: ${error instanceof Error ? error.stack : String(error)}`,
      );
      if (!res.headersSent) send(res, { status: 500 });
      else res.destroy();
    }
  }

  private async serveFunction(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    path: string,
    body: Buffer,
  ): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    let params: Record<string, string> | undefined;
    const route = this.routes.find((r) => {
      const methods = r.fn.http?.methods;
      if (methods && !methods.includes(method)) return false;
      params = r.template.match(path);
      return params !== undefined;
    });
    if (!route || !params) return send(res, { status: 404 });
    const authLevel = route.fn.http?.authLevel ?? 'function';
    if (authLevel !== 'anonymous') {
      const key = url.searchParams.get('code') ?? header(req, 'x-functions-key');
      const valid =
        authLevel === 'admin' ? key === this.masterKey : key === this.functionKey || key === this.masterKey;
      if (!valid) return send(res, { status: 401 });
    }
    const headers: Record<string, string> = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = (req.rawHeaders[i] ?? '').toLowerCase();
      const value = req.rawHeaders[i + 1] ?? '';
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    // The host hands the worker a body only when Content-Length > 0, so a chunked request (no
    // Content-Length) reaches the function empty (azure-functions-host GrpcMessageConversionExtensions.cs,
    // ToRpcHttp: `request.Body != null && request.ContentLength > 0`).
    const declaredLength = Number.parseInt(header(req, 'content-length') ?? '', 10);
    const forwarded = Number.isInteger(declaredLength) && declaredLength > 0 && body.length > 0;
    const http: RpcHttpData = {
      method,
      url: url.href,
      headers,
      params,
      // Raw bytes, so that webhook signatures can be checked over exactly what was sent.
      ...(forwarded ? { body: { bytes: body } } : {}),
    };
    const outcome = await this.invoke(route.fn.name, {
      triggerData: { http },
      resolveInput: (binding) => this.resolveInput(binding.type),
    });
    if (!outcome.ok) {
      this.hostLog('error', `Executed 'Functions.${route.fn.name}' (Failed): ${describe(outcome.error)}`);
      return send(res, { status: 500 });
    }
    const result = outcome.response.returnValue?.http;
    // No response from the handler: the host answers 204 No Content.
    if (!result) return send(res, { status: 204 });
    const status = Number.parseInt(result.statusCode ?? '200', 10) || 200;
    const responseHeaders: Record<string, string | string[]> = { ...(result.headers ?? {}) };
    const cookies = (result.cookies ?? []).map(cookieHeader);
    if (cookies.length > 0) responseHeaders['set-cookie'] = cookies;
    const bodyData = result.body;
    const bytes =
      bodyData?.bytes !== undefined
        ? Buffer.from(bodyData.bytes)
        : bodyData?.string !== undefined
          ? Buffer.from(bodyData.string)
          : Buffer.alloc(0);
    res.writeHead(status, responseHeaders);
    res.end(bytes);
  }

  private invoke(name: string, input: InvocationInput): Promise<InvocationOutcome> {
    return invokeWithTimeout(this.app, name, input, this.functionTimeoutInMs, (message) =>
      this.hostLog('error', message),
    );
  }

  private resolveInput(type: string): RpcTypedData | undefined {
    const lower = type.toLowerCase();
    if (lower === 'durableclient' || lower === 'orchestrationclient')
      return { json: JSON.stringify(this.durableClientInput()) };
    return undefined;
  }

  private functionLog(entry: FunctionLogEntry): void {
    this.record({
      time: new Date().toISOString(),
      source: 'function',
      level: entry.level,
      message: entry.message,
      functionName: entry.functionName,
      invocationId: entry.invocationId,
    });
  }

  private hostLog(level: string, message: string): void {
    this.record({ time: new Date().toISOString(), source: 'host', level, message });
  }

  private record(entry: HostLogEntry): void {
    this.logs.push(entry);
    if (this.logs.length > MAX_LOG_ENTRIES) this.logs.splice(0, this.logs.length - MAX_LOG_ENTRIES);
    this.options.onLog?.(entry);
  }
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return typeof value === 'string' ? value : null;
}

function apiRequest(req: IncomingMessage, url: URL, body: Buffer, prefix: string): DurableApiRequest {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers))
    if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(', ') : value;
  return {
    method: req.method ?? 'GET',
    path: url.pathname.slice(prefix.length),
    query: url.searchParams,
    headers,
    body,
  };
}

function send(res: ServerResponse, response: DurableApiResponse): void {
  const headers: Record<string, string> = { ...(response.headers ?? {}) };
  let payload: Buffer = Buffer.alloc(0);
  // The extension answers with JSON bodies, even for plain messages (a JSON string then).
  if (response.body !== undefined) {
    payload = Buffer.from(JSON.stringify(response.body));
    headers['content-type'] = 'application/json; charset=utf-8';
  }
  res.writeHead(response.status, headers);
  res.end(payload);
}

function cookieHeader(cookie: RpcHttpCookie): string {
  const parts = [`${cookie.name ?? ''}=${cookie.value ?? ''}`];
  if (cookie.domain?.value) parts.push(`Domain=${cookie.domain.value}`);
  if (cookie.path?.value) parts.push(`Path=${cookie.path.value}`);
  const expires = cookie.expires?.value?.seconds;
  if (expires !== undefined) parts.push(`Expires=${new Date(expires * 1000).toUTCString()}`);
  if (cookie.maxAge?.value !== undefined) parts.push(`Max-Age=${cookie.maxAge.value}`);
  if (cookie.secure?.value) parts.push('Secure');
  if (cookie.httpOnly?.value) parts.push('HttpOnly');
  if (cookie.sameSite === 'lax') parts.push('SameSite=Lax');
  else if (cookie.sameSite === 'strict') parts.push('SameSite=Strict');
  else if (cookie.sameSite === 'explicitNone') parts.push('SameSite=None');
  return parts.join('; ');
}

/** A trigger value as the host would send it: strings as strings, buffers as bytes, the rest as JSON. */
function typedData(value: unknown): RpcTypedData | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return { string: value };
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return { bytes: value };
  return { json: JSON.stringify(value) };
}

function fromTypedData(data: RpcTypedData | undefined): unknown {
  if (!data) return undefined;
  if (data.json !== undefined) return JSON.parse(data.json) as unknown;
  if (data.string !== undefined) return data.string;
  if (data.bytes !== undefined) return Buffer.from(data.bytes);
  return data.int ?? data.double;
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
