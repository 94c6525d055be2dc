// I/O: the transport of the workspace client: one request = URL + credential headers + JSON, sent through the
// workspace's RequestScheduler, retried when that is safe, reported to `onRequest`, with secrets redacted.
import { performance } from 'node:perf_hooks';
import { classifyNetworkError } from './classifyNetworkError';
import { computeBackoffDelay } from './computeBackoffDelay';
import { createDatabricksApiError } from './createDatabricksApiError';
import type {
  DatabricksClientOptions,
  DatabricksOperationOptions,
  DatabricksRequestInfo,
} from './DatabricksClientOptions';
import type { DatabricksCredential } from './DatabricksCredential';
import {
  DatabricksInvalidRequestError,
  DatabricksNotFoundError,
  DatabricksTransientError,
  type DatabricksApiError,
} from './DatabricksApiError';
import { delay } from './delay';
import { parseRetryAfter } from './parseRetryAfter';
import { RequestScheduler } from './RequestScheduler';

/** One call of one endpoint, as the area files (workspaceApi, dbfsApi, clustersApi, jobsApi) describe it. */
export interface RequestSpec {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'HEAD' | 'DELETE';
  version: '2.0' | '2.1' | '2.2';
  /** Without version, e.g. `dbfs/put`: the scheduler's group key and the prefix of error messages. */
  endpoint: string;
  query?: Record<string, string | number | boolean | undefined>;
  /**
   * The object an endpoint names in its URL after the endpoint itself (the Files API: `fs/files` + `/Volumes/...`),
   * each segment percent-encoded. Not part of the endpoint: the scheduler groups and errors name `fs/files`.
   */
  path?: string;
  body?: Record<string, unknown>;
  /** Raw bytes sent as application/octet-stream instead of a JSON body (Files API uploads). */
  content?: Uint8Array;
  /** A JSON body already serialized, instead of `body` (a directory import's, too large to build as strings). */
  json?: Uint8Array;
  /** Response headers to hand back (HEAD answers carry their metadata there): read as `headers.<name>`. */
  responseHeaders?: readonly string[];
  /**
   * Whether repeating the call after an ambiguous failure (5xx other than 503, lost connection, timeout) is
   * harmless. 429 and 503 mean the server refused the request, and connection-phase errors mean it was never
   * sent, so those are retried for every call.
   */
  idempotent: boolean;
}

type AttemptOutcome =
  | { ok: true; value: Record<string, unknown> }
  | {
      ok: false;
      /** Retrying can help at all. */
      retryable: boolean;
      /** The server certainly did not act on the request, so even a non-idempotent call may be repeated. */
      notActedOn: boolean;
      throttled: boolean;
      retryAfterInMs: number | undefined;
      makeError: (attempts: number, note?: string) => DatabricksApiError;
    };

const DEFAULT_TIMEOUT_IN_MS = 60_000;

export class DatabricksTransport {
  /** Normalized, without trailing slash; may carry a path prefix. */
  readonly workspaceUrl: string;
  /** The scheduler every request goes through (shared when passed in options). */
  readonly scheduler: RequestScheduler;
  // A private field, so logging the transport (or an error holding it) never shows a credential's state.
  readonly #credential: DatabricksCredential;
  private readonly fetch: typeof fetch;
  private readonly maxRetries: number;
  private readonly baseDelayInMs: number;
  private readonly maxDelayInMs: number;
  private readonly timeoutInMs: number;
  private readonly onRequest: ((info: DatabricksRequestInfo) => void) | undefined;
  private readonly userAgent: string;

  constructor(workspaceUrl: string, credential: DatabricksCredential, options: DatabricksClientOptions = {}) {
    this.workspaceUrl = normalizeWorkspaceUrl(workspaceUrl);
    this.#credential = credential;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.scheduler = options.scheduler ?? new RequestScheduler({ maxInFlight: options.maxInFlight ?? 16 });
    this.maxRetries = options.retry?.maxRetries ?? 8;
    this.baseDelayInMs = options.retry?.baseDelayInMs ?? 200;
    this.maxDelayInMs = options.retry?.maxDelayInMs ?? 20_000;
    this.timeoutInMs = options.timeoutInMs ?? DEFAULT_TIMEOUT_IN_MS;
    this.onRequest = options.onRequest;
    this.userAgent = options.userAgent ?? 'bricklane';
  }

  /** Like `send`, but a DatabricksNotFoundError becomes undefined (get-status of a path that may not exist). */
  async sendOrUndefined(
    spec: RequestSpec,
    options: DatabricksOperationOptions,
  ): Promise<Record<string, unknown> | undefined> {
    try {
      return await this.send(spec, options);
    } catch (error) {
      if (error instanceof DatabricksNotFoundError) return undefined;
      throw error;
    }
  }

  /**
   * Sends one request through the scheduler, retrying what is safe to retry (`RequestSpec.idempotent`), and
   * returns the parsed JSON answer. Failures are DatabricksApiError subclasses with the credential redacted.
   */
  async send(spec: RequestSpec, options: DatabricksOperationOptions): Promise<Record<string, unknown>> {
    const abortSignal = options.abortSignal;
    const url = this.urlOf(spec);
    const body =
      spec.content ?? spec.json ?? (spec.body === undefined ? undefined : JSON.stringify(spec.body));
    const maxAttempts = this.maxRetries + 1;
    for (let attempt = 1; ; attempt++) {
      // Headers per attempt: a refreshing credential hands out a new token when the old one nears expiry.
      const credentialHeaders = await this.#credential.getHeaders();
      const outcome = await this.scheduler.run(
        spec.endpoint,
        () => this.attempt(spec, url, body, credentialHeaders, attempt, abortSignal),
        { abortSignal },
      );
      if (outcome.ok) return outcome.value;
      if (!outcome.retryable) throw outcome.makeError(attempt);
      if (!spec.idempotent && !outcome.notActedOn) {
        throw outcome.makeError(
          attempt,
          `not retried: ${spec.endpoint} is not safe to repeat, so check whether it took effect before retrying`,
        );
      }
      if (attempt >= maxAttempts)
        throw outcome.makeError(attempt, `gave up after ${attempt} attempt${attempt === 1 ? '' : 's'}`);
      const delayInMs =
        outcome.retryAfterInMs ?? computeBackoffDelay(attempt, this.baseDelayInMs, this.maxDelayInMs);
      if (outcome.throttled) this.scheduler.reportThrottled(spec.endpoint, delayInMs);
      await delay(delayInMs, abortSignal);
    }
  }

  /**
   * One HTTP exchange; failures come back as data for the retry loop. Throws only when the caller aborts, a
   * success answer is unreadable, or fetch fails for a reason that is not the network.
   */
  private async attempt(
    spec: RequestSpec,
    url: string,
    body: string | Uint8Array | undefined,
    credentialHeaders: Record<string, string>,
    attempt: number,
    abortSignal: AbortSignal | undefined,
  ): Promise<AttemptOutcome> {
    // An abort that landed while this request waited for its slot: a listener added now would never fire.
    if (abortSignal?.aborted) throw abortSignal.reason;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new DOMException(`timed out after ${this.timeoutInMs} ms`, 'TimeoutError'));
    }, this.timeoutInMs);
    const onAbort = (): void => controller.abort(abortSignal?.reason);
    abortSignal?.addEventListener('abort', onAbort, { once: true });
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'User-Agent': this.userAgent,
      ...credentialHeaders,
    };
    if (body !== undefined)
      headers['Content-Type'] = spec.content ? 'application/octet-stream' : 'application/json';
    const startedAt = performance.now();
    let response: Response;
    let text: string;
    try {
      response = await this.fetch(url, { method: spec.method, headers, body, signal: controller.signal });
      // The body is read inside the timeout and the scheduler slot: a request is in flight until it is read.
      text = await response.text();
    } catch (error) {
      if (abortSignal?.aborted) throw abortSignal.reason;
      return this.failedExchange(spec, error, timedOut, startedAt, attempt);
    } finally {
      clearTimeout(timer);
      abortSignal?.removeEventListener('abort', onAbort);
    }
    const statusCode = response.status;
    this.report(spec, statusCode, startedAt, attempt, undefined);
    if (response.ok) {
      const value = parseSuccessBody(text, spec.endpoint);
      if (spec.responseHeaders)
        value.headers = Object.fromEntries(spec.responseHeaders.map((h) => [h, response.headers.get(h)]));
      return { ok: true, value };
    }
    const retryAfterInMs =
      statusCode === 429 || statusCode === 503
        ? parseRetryAfter(response.headers.get('retry-after'))
        : undefined;
    const redacted = redact(text, credentialHeaders);
    return {
      ok: false,
      retryable: statusCode === 429 || statusCode >= 500,
      // 429 and 503 are refusals before any work (Azure Databricks rate limits; TEMPORARILY_UNAVAILABLE).
      notActedOn: statusCode === 429 || statusCode === 503,
      throttled: statusCode === 429,
      retryAfterInMs,
      makeError: (attempts, note) =>
        createDatabricksApiError({
          endpoint: spec.endpoint,
          statusCode,
          body: redacted,
          retryAfterInMs,
          attempts,
          note,
        }),
    };
  }

  /** An exchange that produced no complete response: a timeout or a network failure. */
  private failedExchange(
    spec: RequestSpec,
    error: unknown,
    timedOut: boolean,
    startedAt: number,
    attempt: number,
  ): AttemptOutcome {
    if (timedOut) {
      this.report(spec, undefined, startedAt, attempt, 'TIMEOUT');
      return {
        ok: false,
        retryable: true,
        notActedOn: false,
        throttled: false,
        retryAfterInMs: undefined,
        makeError: (attempts, note) =>
          new DatabricksTransientError({
            code: 'TIMEOUT',
            endpoint: spec.endpoint,
            detail: `no answer within ${this.timeoutInMs} ms${note === undefined ? '' : ` (${note})`}`,
            attempts,
          }),
      };
    }
    const network = classifyNetworkError(error);
    if (network === undefined) throw error;
    this.report(spec, undefined, startedAt, attempt, network.code);
    return {
      ok: false,
      retryable: network.transient,
      notActedOn: network.notSent,
      throttled: false,
      retryAfterInMs: undefined,
      makeError: (attempts, note) => {
        const hint = network.transient ? '' : ': check the workspace URL and that its certificate is trusted';
        const init = {
          code: network.code,
          endpoint: spec.endpoint,
          detail: `request failed (${network.code})${hint}${note === undefined ? '' : ` (${note})`}`,
          attempts,
          cause: error,
        };
        return network.transient
          ? new DatabricksTransientError(init)
          : new DatabricksInvalidRequestError(init);
      },
    };
  }

  private report(
    spec: RequestSpec,
    status: number | undefined,
    startedAt: number,
    attempt: number,
    errorCode: string | undefined,
  ): void {
    if (this.onRequest === undefined) return;
    const info: DatabricksRequestInfo = {
      method: spec.method,
      endpoint: spec.endpoint,
      status,
      durationInMs: performance.now() - startedAt,
      attempt,
    };
    if (errorCode !== undefined) info.errorCode = errorCode;
    try {
      this.onRequest(info);
    } catch {
      // A progress hook must never fail a deploy.
    }
  }

  private urlOf(spec: RequestSpec): string {
    let url = `${this.workspaceUrl}/api/${spec.version}/${spec.endpoint}`;
    if (spec.path !== undefined) url += spec.path.split('/').map(encodeURIComponent).join('/');
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(spec.query ?? {})) {
      if (value !== undefined) params.set(key, String(value));
    }
    const query = params.toString();
    if (query !== '') url += `?${query}`;
    return url;
  }
}

function normalizeWorkspaceUrl(workspaceUrl: string): string {
  let url: URL;
  try {
    url = new URL(workspaceUrl);
  } catch {
    throw new TypeError(
      `databricks: workspace URL "${workspaceUrl}" is not a URL (expected https://adb-<id>.<n>.azuredatabricks.net)`,
    );
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  // A bearer token must not travel in clear text; plain http is tolerated only for local fakes.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new TypeError(`databricks: workspace URL ${url.origin} must use https`);
  }
  if (url.search !== '' || url.hash !== '') {
    throw new TypeError('databricks: workspace URL must not carry a query or fragment');
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

function parseSuccessBody(text: string, endpoint: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new DatabricksInvalidRequestError({
      code: 'INVALID_RESPONSE',
      endpoint,
      detail: 'the answer is not a JSON object (is the workspace URL right, or did a proxy answer?)',
    });
  }
  return parsed as Record<string, unknown>;
}

/** A number field the answer must carry (e.g. `handle`, `job_id`). */
export function requireNumber(result: Record<string, unknown>, field: string, endpoint: string): number {
  const value = result[field];
  if (typeof value !== 'number') throw missingField(field, endpoint);
  return value;
}

/** A non-empty string field the answer must carry (e.g. `cluster_id`). */
export function requireString(result: Record<string, unknown>, field: string, endpoint: string): string {
  const value = result[field];
  if (typeof value !== 'string' || value === '') throw missingField(field, endpoint);
  return value;
}

/** A page token and the like: a non-empty string, else undefined. */
export function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function missingField(field: string, endpoint: string): DatabricksInvalidRequestError {
  return new DatabricksInvalidRequestError({
    code: 'INVALID_RESPONSE',
    endpoint,
    detail: `the answer has no ${field}`,
  });
}

/** A request the API would reject, refused before sending it (so `attempts` is 0). */
export function refuseLocally(endpoint: string, code: string, detail: string): DatabricksInvalidRequestError {
  return new DatabricksInvalidRequestError({ code, endpoint, detail, attempts: 0 });
}

/** Removes credential header values from text that may reach error messages (a server echoing a header). */
function redact(text: string, headers: Record<string, string>): string {
  let result = text;
  for (const value of Object.values(headers)) {
    for (const secret of [value, value.replace(/^\w+\s+/, '')]) {
      if (secret.length >= 8) result = result.split(secret).join('***');
    }
  }
  return result;
}
