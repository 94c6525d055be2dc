// Test infrastructure: a stateful Azure Databricks REST API, each workspace at its own HTTPS origin.
// Every client (the official SDKs, the CLI, Terraform) addresses a workspace as `scheme://host[:port]` and
// appends the real `/api/2.x/...` paths, so each workspace gets its own port on 127.0.0.1 (the certificate
// covers it) and routing goes by path after the origin picks the workspace. Requests pass auth, fault
// injection and rate limiting before they touch state; see handle().
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
import { listenOnLoopback } from './HttpsEndpoint';
import type { FaultDecision, FaultOptions } from './FaultInjector';
import { filesEndpointOf, filesRoutes } from './filesRoutes';
import { jobRoutes } from './jobRoutes';
import { permissionRoutes, permissionsEndpointOf } from './permissionRoutes';
import { policyRoutes } from './policyRoutes';
import { runRoutes } from './runRoutes';
import type { ScriptedRun } from './RunStore';
import type { JsonObject } from './JsonValue';
import { defaultRateLimits } from './RateLimiter';
import type { RateLimits } from './RateLimiter';
import { RequestCounters } from './RequestCounters';
import type { CounterSnapshot } from './RequestCounters';
import { RequestReader } from './RequestReader';
import type { Route } from './Route';
import { secretRoutes } from './secretRoutes';
import { workspaceRoutes } from './workspaceRoutes';
import type { WorkspaceSnapshot, WorkspaceState } from './WorkspaceState';

export interface EmulatorOptions {
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
 * true admits the request; false answers 403 "Invalid access token." as the service does; a refusal answers
 * with its own status and code (e.g. 403 PERMISSION_DENIED for a valid AAD token of a principal that is not
 * in the workspace).
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
  /** The service's bad-token answer carries the number 403 here, not a string code. */
  errorCode: string | number;
  message: string;
}

/**
 * Azure Databricks answers a bad, expired or revoked token with 403 and this body (databricks-sdk-go #873,
 * #917), not with 401 UNAUTHENTICATED.
 */
export const invalidTokenRefusal: TokenRefusal = {
  status: 403,
  errorCode: 403,
  message: 'Invalid access token.',
};

// A call without any bearer token never reaches the token check.
const missingTokenRefusal: TokenRefusal = {
  status: 401,
  errorCode: 'UNAUTHENTICATED',
  message: 'Missing bearer token.',
};

interface Answer {
  status: number;
  body: JsonObject;
  /** Sent instead of the JSON body (the Files API answers bytes, or nothing). */
  bytes?: Buffer;
  headers?: Record<string, string>;
}

type Outcome = { answer: Answer } | { reset: true };

/** A write a workspace applied, as observers see it (the burst test attributes writes to releases). */
export interface AppliedWrite {
  workspace: string;
  /** e.g. `2.0/workspace/import` */
  endpoint: string;
  /** Date.now() when the workspace state changed. */
  at: number;
}

// Base64 inflates the 200 MiB workspace-file ceiling by a third; anything above cannot be a valid call.
const maxBodyBytes = 300 * 1024 * 1024;
const routes = new Map<string, Route>([
  ...Object.entries({
    ...workspaceRoutes,
    ...dbfsRoutes,
    ...clusterRoutes,
    ...jobRoutes,
    ...filesRoutes,
    ...secretRoutes,
  }),
  ...Object.entries({ ...policyRoutes, ...permissionRoutes }),
  ...Object.entries(runRoutes),
]);

export class DatabricksEmulator {
  static readonly defaultToken = 'dapi-emulator-token';

  private readonly globalCounters = new RequestCounters();
  private readonly faultInjector = new FaultInjector();
  /** Each workspace's listener, by workspace name; a pending one while it binds. */
  private readonly origins = new Map<string, Promise<Server>>();
  private readonly writeListeners = new Set<(write: AppliedWrite) => void>();
  /** Runs scripted for workspaces not created yet, by workspace name (scriptRuns). */
  private readonly laterScripts = new Map<string, [string, readonly ScriptedRun[]][]>();
  private tokenValidator: TokenValidator | undefined;
  private latencyInMs: number;
  private stopped = false;

  private constructor(
    private readonly world: EmulatorWorld,
    private readonly options: EmulatorOptions,
  ) {
    this.latencyInMs = options.latencyInMs ?? 0;
  }

  /** Workspaces loaded from `stateDir` listen again on their saved ports (their URLs are stored elsewhere). */
  static async start(options: EmulatorOptions = {}): Promise<DatabricksEmulator> {
    const world = new EmulatorWorld({
      clusterTransitionInMs: options.clusterTransitionInMs ?? 50,
      clusterServerDefaults: options.clusterServerDefaults ?? false,
      rateLimits: options.rateLimits === false ? false : { ...defaultRateLimits, ...options.rateLimits },
    });
    if (options.stateDir) await world.loadFrom(options.stateDir);
    const emulator = new DatabricksEmulator(world, options);
    try {
      await emulator.openAll();
    } catch (error) {
      await emulator.closeAll();
      throw error;
    }
    return emulator;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.closeAll();
    if (this.options.stateDir) await this.world.saveTo(this.options.stateDir);
  }

  /**
   * Starts the workspace's origin (a new port) and returns its state. Tokens default to
   * `DatabricksEmulator.defaultToken`. Adding a workspace that exists (e.g. loaded from `stateDir`) returns
   * it, with the given tokens added.
   */
  async addWorkspace(name: string, options: { tokens?: string[] } = {}): Promise<WorkspaceState> {
    const tokens = options.tokens ?? [DatabricksEmulator.defaultToken];
    const existing = this.world.find(name);
    if (existing) for (const token of tokens) existing.addToken(token);
    const workspace = existing ?? this.world.add(name, tokens);
    for (const [job, runs] of this.laterScripts.get(name) ?? []) workspace.runs.script(job, runs);
    this.laterScripts.delete(name);
    await this.open(name);
    return workspace;
  }

  workspace(name: string): WorkspaceState {
    return this.world.get(name);
  }

  /**
   * The next runs of the workspace's job named `jobName` end as scripted, one entry per run (RunStore). A
   * workspace not created yet gets them when it is (a release that provisions it runs its check there).
   */
  scriptRuns(workspace: string, jobName: string, runs: readonly ScriptedRun[]): void {
    const existing = this.world.find(workspace);
    if (existing) existing.runs.script(jobName, runs);
    else this.laterScripts.set(workspace, [...(this.laterScripts.get(workspace) ?? []), [jobName, runs]]);
  }

  workspaceNames(): string[] {
    return this.world.all().map((workspace) => workspace.name);
  }

  /** The workspace's origin, `https://127.0.0.1:<port>` with no path: clients append `/api/2.x/...`. */
  workspaceUrl(name: string): string {
    this.world.get(name);
    const port = this.world.portOf(name);
    if (port === undefined)
      throw new Error(`Emulated workspace ${name} is not listening yet (await addWorkspace)`);
    return `https://127.0.0.1:${port}`;
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

  /** Calls `listener` after every write a workspace applied (before it is answered); returns the unsubscribe. */
  onWrite(listener: (write: AppliedWrite) => void): () => void {
    this.writeListeners.add(listener);
    return () => this.writeListeners.delete(listener);
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
   * Replaces all workspaces with those saved in dir (earlier WorkspaceState handles go stale), each listening
   * on its saved port; false when there is nothing saved.
   */
  async loadFrom(dir: string): Promise<boolean> {
    await this.closeAll();
    const loaded = await this.world.loadFrom(dir);
    await this.openAll();
    return loaded;
  }

  private openAll(): Promise<void> {
    return Promise.all(this.world.all().map((workspace) => this.open(workspace.name))).then(() => undefined);
  }

  private async open(name: string): Promise<void> {
    let opening = this.origins.get(name);
    if (!opening) {
      opening = this.listen(name);
      this.origins.set(name, opening);
    }
    await opening;
  }

  private async listen(name: string): Promise<Server> {
    const savedPort = this.world.portOf(name);
    const server = createServer(await emulatorTls());
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void this.handle(name, req, res));
    try {
      await listenOnLoopback(server, savedPort ?? 0);
    } catch (error) {
      this.origins.delete(name);
      if (savedPort === undefined) throw error;
      // No fallback to another port: the ARM state and the ledger hold the saved URL, so a workspace that
      // moved would look like a different one.
      throw new Error(
        `Emulated workspace ${name} was saved at https://127.0.0.1:${savedPort}, and that port cannot be ` +
          `bound now (${String(error)}). Stop what holds it, or start from a fresh world directory.`,
        { cause: error },
      );
    }
    const port = (server.address() as AddressInfo).port;
    this.world.setPort(name, port);
    this.world.get(name).origin = `https://127.0.0.1:${port}`;
    return server;
  }

  private async closeAll(): Promise<void> {
    const opening = [...this.origins.values()];
    this.origins.clear();
    const servers = await Promise.allSettled(opening);
    await Promise.all(
      servers.map(async (result) => {
        if (result.status !== 'fulfilled') return;
        const closed = new Promise<void>((resolve) => result.value.close(() => resolve()));
        result.value.closeAllConnections();
        await closed;
      }),
    );
  }

  private async handle(workspaceName: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://emulator.invalid');
    const match = /^\/api\/(.+)$/.exec(url.pathname);
    const endpoint =
      filesEndpointOf(url.pathname) ??
      permissionsEndpointOf(url.pathname) ??
      match?.[1] ??
      url.pathname.replace(/^\/+/, '');
    const workspace = match ? this.world.find(workspaceName) : undefined;
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
      early = notFound(`No API found for '${method} ${url.pathname}' (the real paths start with /api/)`);
    } else if ((verdict = await this.authorized(req, workspace.name)) !== true) {
      early = refusalOutcome(verdict === false ? invalidTokenRefusal : verdict);
    } else if (!(route = routes.get(endpoint))) {
      early = notFound(`No API found for '${method} /api/${endpoint}'`);
    } else if (!(route.methods ?? [route.method]).includes(method)) {
      early = errorOutcome(
        new ApiError(405, 'METHOD_NOT_ALLOWED', `${endpoint} expects ${route.method}, got ${method}`, {
          allow: route.method,
        }),
      );
    } else {
      decision = this.faultInjector.decide(workspace.name, endpoint, route.method !== 'GET');
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
    const answer = this.apply(route, method, workspace, url, body, counters);
    if (decision?.kind === 'reset-after') {
      counters.forEach((counter) => counter.recordFault());
      return { reset: true };
    }
    // A lost answer: applied, then the front end gave up waiting (FaultSpec.ts); the SDKs map 504 to
    // DEADLINE_EXCEEDED (databricks-sdk-go apierr).
    if (decision?.kind === 'lost') {
      counters.forEach((counter) => counter.recordFault());
      return errorOutcome(
        new ApiError(504, 'DEADLINE_EXCEEDED', 'Injected fault: the request timed out after it was applied'),
      );
    }
    return { answer };
  }

  private apply(
    route: Route,
    method: string,
    workspace: WorkspaceState,
    url: URL,
    body: Buffer,
    counters: RequestCounters[],
  ): Answer {
    try {
      let answer: Answer;
      if (route.handleRaw) {
        const raw = route.handleRaw(workspace, method, url, body);
        answer = raw.json
          ? { status: raw.status, body: raw.json, headers: raw.headers ?? {} }
          : { status: raw.status, body: {}, headers: raw.headers ?? {}, bytes: raw.bytes ?? Buffer.alloc(0) };
      } else {
        const request =
          route.method === 'GET'
            ? RequestReader.fromQuery(url.searchParams)
            : RequestReader.fromBody(parseJson(body));
        answer = { status: 200, body: route.handle(workspace, request) };
      }
      if (method !== 'GET' && method !== 'HEAD' && route.write !== false) {
        counters.forEach((counter) => counter.recordWrite());
        const write = {
          workspace: workspace.name,
          endpoint: url.pathname.slice('/api/'.length),
          at: Date.now(),
        };
        for (const listener of this.writeListeners) listener(write);
      }
      return answer;
    } catch (error) {
      if (error instanceof ApiError) return errorAnswer(error);
      throw error;
    }
  }

  private async authorized(req: IncomingMessage, workspaceName: string): Promise<TokenVerdict> {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!token) return missingTokenRefusal;
    if (this.tokenValidator) return await this.tokenValidator(token, workspaceName, req.headers);
    return this.world.get(workspaceName).hasToken(token);
  }

  private injectedBeforeApplying(
    decision: FaultDecision | undefined,
    counters: RequestCounters[],
  ): Outcome | undefined {
    if (!decision?.kind || decision.kind === 'reset-after' || decision.kind === 'lost') return undefined;
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

function refusalOutcome(refusal: TokenRefusal): Outcome {
  return {
    answer: { status: refusal.status, body: { error_code: refusal.errorCode, message: refusal.message } },
  };
}

function notFound(message: string): Outcome {
  return errorOutcome(new ApiError(404, 'ENDPOINT_NOT_FOUND', message));
}

function send(res: ServerResponse, answer: Answer): void {
  if (res.destroyed || res.headersSent) return;
  if (answer.bytes) {
    // Node leaves the body out of a HEAD answer by itself; content-length still says the file's size.
    res.writeHead(answer.status, { ...answer.headers, 'content-length': answer.bytes.length });
    res.end(answer.status === 204 ? undefined : answer.bytes);
    return;
  }
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
