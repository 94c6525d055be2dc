// Test infrastructure: a stateful Azure Databricks REST API, many workspaces on one HTTPS server.
// Each workspace lives under `/ws/<name>` (api-contract.md), so the sandbox gets dev, qa and prod on one
// port. Requests pass auth, fault injection and rate limiting before they touch state; see handle().
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { ApiError } from './ApiError';
import { clusterRoutes } from './clusterRoutes';
import { dbfsRoutes } from './dbfsRoutes';
import type { EmulatorClock } from './EmulatorClock';
import { emulatorTls } from './emulatorTls';
import { EmulatorWorld } from './EmulatorWorld';
import { FaultInjector } from './FaultInjector';
import type { FaultDecision, FaultOptions } from './FaultInjector';
import { jobRoutes } from './jobRoutes';
import type { JsonObject } from './JsonValue';
import { defaultRateLimits } from './RateLimiter';
import type { RateLimits } from './RateLimiter';
import { RequestCounters } from './RequestCounters';
import type { CounterSnapshot } from './RequestCounters';
import { RequestReader } from './RequestReader';
import type { Route } from './Route';
import { workspaceRoutes } from './workspaceRoutes';
import type { WorkspaceSnapshot, WorkspaceState } from './WorkspaceState';

export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Added before answering every request. */
  latencyInMs?: number;
  /** Overrides of the default per-second limits, or false for none. */
  rateLimits?: Partial<RateLimits> | false;
  /** Time a cluster spends in PENDING, RESTARTING or TERMINATING. Default 50 ms. */
  clusterTransitionInMs?: number;
  /** Answer clusters/get and list with the fields the real service fills in (driver_node_type_id, ...). */
  clusterServerDefaults?: boolean;
  /** Load the world saved here at start (if any) and save it there at stop. */
  stateDir?: string;
}

/**
 * true admits the request; false answers 401 UNAUTHENTICATED; a refusal answers with its own status and
 * code (e.g. 403 PERMISSION_DENIED for a valid AAD token of a principal that is not in the workspace).
 * `headers` carries what AAD callers send besides the token (X-Databricks-Azure-SP-Management-Token, ...).
 */
export type TokenValidator = (
  token: string,
  workspaceName: string,
  headers: IncomingHttpHeaders,
) => TokenVerdict | Promise<TokenVerdict>;

export type TokenVerdict = boolean | TokenRefusal;

export interface TokenRefusal {
  status: 401 | 403;
  errorCode: string;
  message: string;
}

interface Answer {
  status: number;
  body: JsonObject;
  headers?: Record<string, string>;
}

type Outcome = { answer: Answer } | { reset: true };

// Base64 inflates the 200 MiB workspace-file ceiling by a third; anything above cannot be a valid call.
const maxBodyBytes = 300 * 1024 * 1024;
const routes = new Map<string, Route>(
  Object.entries({ ...workspaceRoutes, ...dbfsRoutes, ...clusterRoutes, ...jobRoutes }),
);

export class DatabricksEmulator {
  static readonly defaultToken = 'dapi-emulator-token';

  private readonly globalCounters = new RequestCounters();
  private readonly faultInjector = new FaultInjector();
  private tokenValidator: TokenValidator | undefined;
  private latencyInMs: number;
  private stopped = false;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly world: EmulatorWorld,
    private readonly options: EmulatorOptions,
  ) {
    this.latencyInMs = options.latencyInMs ?? 0;
  }

  static async start(options: EmulatorOptions = {}): Promise<DatabricksEmulator> {
    const world = new EmulatorWorld({
      clusterTransitionInMs: options.clusterTransitionInMs ?? 50,
      clusterServerDefaults: options.clusterServerDefaults ?? false,
      rateLimits: options.rateLimits === false ? false : { ...defaultRateLimits, ...options.rateLimits },
    });
    if (options.stateDir) await world.loadFrom(options.stateDir);
    const server = createServer(await emulatorTls());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const emulator = new DatabricksEmulator(server, `https://127.0.0.1:${port}`, world, options);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void emulator.handle(req, res));
    return emulator;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
    if (this.options.stateDir) await this.world.saveTo(this.options.stateDir);
  }

  /**
   * Tokens default to `DatabricksEmulator.defaultToken`. Adding a workspace that exists (e.g. loaded from
   * `stateDir`) returns it, with the given tokens added.
   */
  addWorkspace(name: string, options: { tokens?: string[] } = {}): WorkspaceState {
    const tokens = options.tokens ?? [DatabricksEmulator.defaultToken];
    const existing = this.world.find(name);
    if (!existing) return this.world.add(name, tokens);
    for (const token of tokens) existing.addToken(token);
    return existing;
  }

  workspace(name: string): WorkspaceState {
    return this.world.get(name);
  }

  workspaceNames(): string[] {
    return this.world.all().map((workspace) => workspace.name);
  }

  workspaceUrl(name: string): string {
    return `${this.url}/ws/${name}`;
  }

  get clock(): EmulatorClock {
    return this.world.clock;
  }

  /** Replaces the static token lists (e.g. with JWT validation); undefined restores them. */
  setTokenValidator(validator: TokenValidator | undefined): void {
    this.tokenValidator = validator;
  }

  /** Replaces any earlier fault settings and reseeds the PRNG. */
  faults(options: FaultOptions): void {
    this.faultInjector.set(options);
  }

  clearFaults(): void {
    this.faultInjector.clear();
  }

  setLatency(latencyInMs: number): void {
    this.latencyInMs = latencyInMs;
  }

  setRateLimits(limits: Partial<RateLimits> | false): void {
    this.world.setRateLimits(limits === false ? false : { ...defaultRateLimits, ...limits });
  }

  setClusterTransitionInMs(ms: number): void {
    this.world.settings.clusterTransitionInMs = ms;
  }

  /** The whole emulator's counters, or one workspace's. */
  counters(workspaceName?: string): CounterSnapshot {
    return workspaceName === undefined
      ? this.globalCounters.snapshot()
      : this.world.get(workspaceName).counters;
  }

  resetCounters(): void {
    this.globalCounters.reset();
    for (const workspace of this.world.all()) workspace.requestCounters.reset();
  }

  snapshot(workspaceName: string): WorkspaceSnapshot {
    return this.world.get(workspaceName).snapshot();
  }

  /** Writes `databricks-world.json` into dir; returns its path. */
  saveTo(dir: string): Promise<string> {
    return this.world.saveTo(dir);
  }

  /**
   * Replaces all workspaces with those saved in dir (earlier WorkspaceState handles go stale); false when
   * there is nothing saved.
   */
  loadFrom(dir: string): Promise<boolean> {
    return this.world.loadFrom(dir);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://emulator.invalid');
    const match = /^\/ws\/([^/]+)\/api\/(.+)$/.exec(url.pathname);
    const endpoint = match?.[2] ?? url.pathname.replace(/^\/+/, '');
    const workspace = match?.[1] ? this.world.find(match[1]) : undefined;
    const counters = workspace ? [this.globalCounters, workspace.requestCounters] : [this.globalCounters];
    for (const counter of counters) counter.begin(endpoint);
    // Ends when the answer is handed to the socket (not at 'close', which can trail the client's next
    // request), or when the client goes away first.
    let inFlight = true;
    const finish = (): void => {
      if (inFlight) counters.forEach((counter) => counter.end());
      inFlight = false;
    };
    res.once('close', finish);
    try {
      const body = await readBody(req);
      const outcome = await this.process(req, url, endpoint, workspace, body, counters);
      finish();
      if ('reset' in outcome) req.socket.destroy();
      else send(res, outcome.answer);
    } catch (error) {
      finish();
      send(res, errorAnswer(new ApiError(500, 'INTERNAL_ERROR', `Emulator failure: ${String(error)}`)));
    }
  }

  // Everything up to the fault and rate-limit decisions happens on arrival, in arrival order, so a seeded
  // run draws the same faults; latency follows, then the request is applied and answered.
  private async process(
    req: IncomingMessage,
    url: URL,
    endpoint: string,
    workspace: WorkspaceState | undefined,
    body: Buffer | undefined,
    counters: RequestCounters[],
  ): Promise<Outcome> {
    const method = req.method ?? 'GET';
    let early: Outcome | undefined;
    let decision: FaultDecision | undefined;
    let route: Route | undefined;
    let verdict: TokenVerdict;
    if (!workspace) {
      early = notFound(`No API found for '${method} ${url.pathname}' (unknown workspace or path)`);
    } else if ((verdict = await this.authorized(req, workspace.name)) !== true) {
      early = errorOutcome(
        verdict === false
          ? new ApiError(401, 'UNAUTHENTICATED', 'Invalid or missing bearer token.')
          : new ApiError(verdict.status, verdict.errorCode, verdict.message),
      );
    } else if (!(route = routes.get(endpoint))) {
      early = notFound(`No API found for '${method} /api/${endpoint}'`);
    } else if (route.method !== method) {
      early = errorOutcome(
        new ApiError(405, 'METHOD_NOT_ALLOWED', `${endpoint} expects ${route.method}, got ${method}`, {
          allow: route.method,
        }),
      );
    } else {
      decision = this.faultInjector.decide(workspace.name, endpoint);
      early =
        this.injectedBeforeApplying(decision, counters) ?? this.throttled(workspace, endpoint, counters);
    }
    await sleep(this.latencyInMs + (decision?.latencyInMs ?? 0));
    if (early) return early;
    if (!workspace || !route) throw new Error('unreachable: a request without an early answer has a route');
    if (body === undefined) {
      return errorOutcome(
        new ApiError(413, 'REQUEST_ENTITY_TOO_LARGE', `Request body exceeds ${maxBodyBytes} bytes`),
      );
    }
    const answer = this.apply(route, workspace, url, body, counters);
    if (decision?.kind === 'reset-after') {
      counters.forEach((counter) => counter.recordFault());
      return { reset: true };
    }
    return { answer };
  }

  private apply(
    route: Route,
    workspace: WorkspaceState,
    url: URL,
    body: Buffer,
    counters: RequestCounters[],
  ): Answer {
    try {
      const request =
        route.method === 'GET'
          ? RequestReader.fromQuery(url.searchParams)
          : RequestReader.fromBody(parseJson(body));
      const result = route.handle(workspace, request);
      if (route.method !== 'GET') counters.forEach((counter) => counter.recordWrite());
      return { status: 200, body: result };
    } catch (error) {
      if (error instanceof ApiError) return errorAnswer(error);
      throw error;
    }
  }

  private async authorized(req: IncomingMessage, workspaceName: string): Promise<TokenVerdict> {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!token) return false;
    if (this.tokenValidator) return await this.tokenValidator(token, workspaceName, req.headers);
    return this.world.get(workspaceName).hasToken(token);
  }

  private injectedBeforeApplying(
    decision: FaultDecision | undefined,
    counters: RequestCounters[],
  ): Outcome | undefined {
    if (!decision?.kind || decision.kind === 'reset-after') return undefined;
    counters.forEach((counter) => counter.recordFault());
    const retryAfter = { 'retry-after': formatSeconds(decision.retryAfterSeconds) };
    switch (decision.kind) {
      case '500':
        return errorOutcome(new ApiError(500, 'INTERNAL_ERROR', 'Injected fault: internal error'));
      case '503':
        return errorOutcome(
          new ApiError(503, 'TEMPORARILY_UNAVAILABLE', 'Injected fault: try again later', retryAfter),
        );
      case '429':
        return errorOutcome(
          new ApiError(429, 'REQUEST_LIMIT_EXCEEDED', 'Injected fault: rate limit', retryAfter),
        );
      case 'reset-before':
        return { reset: true };
    }
  }

  private throttled(
    workspace: WorkspaceState,
    endpoint: string,
    counters: RequestCounters[],
  ): Outcome | undefined {
    const waitInSeconds = workspace.rateLimiter.take(endpoint);
    if (waitInSeconds === undefined) return undefined;
    counters.forEach((counter) => counter.recordThrottled());
    return errorOutcome(
      new ApiError(429, 'REQUEST_LIMIT_EXCEEDED', `Too many requests to ${endpoint}; retry later.`, {
        'retry-after': formatSeconds(waitInSeconds),
      }),
    );
  }
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) chunks.push(chunk);
    });
    req.on('end', () => resolve(size <= maxBodyBytes ? Buffer.concat(chunks) : undefined));
    req.on('error', reject);
  });
}

function parseJson(body: Buffer): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new ApiError(400, 'MALFORMED_REQUEST', 'Invalid JSON given in the body of the request.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ApiError(400, 'MALFORMED_REQUEST', 'The request body must be a JSON object.');
  }
  return parsed as JsonObject;
}

function errorAnswer(error: ApiError): Answer {
  return {
    status: error.status,
    body: { error_code: error.code, message: error.message },
    headers: error.headers,
  };
}

function errorOutcome(error: ApiError): Outcome {
  return { answer: errorAnswer(error) };
}

function notFound(message: string): Outcome {
  return errorOutcome(new ApiError(404, 'ENDPOINT_NOT_FOUND', message));
}

function send(res: ServerResponse, answer: Answer): void {
  if (res.destroyed || res.headersSent) return;
  const payload = JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    ...answer.headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

// Decimal seconds rounded up to the millisecond, never 0, so a client that waits exactly this long finds
// a token free.
function formatSeconds(seconds: number): string {
  return String(Math.max(0.001, Math.ceil(seconds * 1000) / 1000));
}

function sleep(ms: number): Promise<void> {
  if (!(ms > 0)) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
