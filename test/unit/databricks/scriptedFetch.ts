// Test infrastructure: a fake `fetch` for the Databricks client tests (the network is faulted by injecting
// fetch), and the options and rejection helpers both client test files share.
import { DatabricksApiError } from '../../../src/databricks/DatabricksApiError';
import type { DatabricksClientOptions } from '../../../src/databricks/DatabricksClientOptions';
import { DatabricksTransport } from '../../../src/databricks/DatabricksTransport';
import { DatabricksWorkspaceClient } from '../../../src/databricks/DatabricksWorkspaceClient';
import { StaticTokenCredential } from '../../../src/databricks/StaticTokenCredential';

/** A personal-access-token-shaped secret: tests check that it never reaches an error message. */
export const TOKEN = 'dapi0123456789abcdef0123456789abcdef';
/** A workspace URL with a path prefix and a trailing slash, as the emulator hands them out. */
export const WORKSPACE = 'https://emulator.test/';

export interface RecordedRequest {
  url: URL;
  method: string;
  headers: Headers;
  /** The parsed JSON body, or undefined for GET. */
  body: Record<string, unknown> | undefined;
  /** performance.now() at arrival. */
  at: number;
}

/** What one call answers: a Response, an error to reject with, or a function of the request. */
export type ScriptStep =
  | Response
  | Error
  | ((request: RecordedRequest, signal: AbortSignal | undefined) => Promise<Response> | Response);

export interface ScriptedFetch {
  fetch: typeof fetch;
  requests: RecordedRequest[];
}

/**
 * Answers call n with step n (the last step repeats), or every call with `handler`.
 */
export function scriptedFetch(script: ScriptStep[] | ScriptStep): ScriptedFetch {
  const requests: RecordedRequest[] = [];
  const steps = Array.isArray(script) ? script : [script];
  const fake = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const rawBody = typeof init?.body === 'string' ? init.body : undefined;
    const request: RecordedRequest = {
      url: new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url),
      method: init?.method ?? 'GET',
      headers: new Headers(init?.headers),
      body: rawBody === undefined ? undefined : (JSON.parse(rawBody) as Record<string, unknown>),
      at: performance.now(),
    };
    requests.push(request);
    const step = steps[Math.min(requests.length - 1, steps.length - 1)];
    if (step === undefined) throw new Error('scriptedFetch: empty script');
    if (step instanceof Error) throw step;
    if (step instanceof Response) return step.clone();
    return step(request, init?.signal ?? undefined);
  };
  return { fetch: fake as typeof fetch, requests };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

export function apiError(
  status: number,
  errorCode: string,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return json(status, { error_code: errorCode, message }, headers);
}

/** What Node's fetch rejects with when the peer resets the connection. */
export function connectionError(code: string): TypeError {
  return new TypeError('fetch failed', { cause: Object.assign(new Error(`read ${code}`), { code }) });
}

/** A response that never comes; rejects when the client aborts (timeouts, caller aborts). */
export function hang(_request: RecordedRequest, signal: AbortSignal | undefined): Promise<Response> {
  return new Promise((_resolve, reject) => {
    signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/** Client or transport options answering with `script`, with fast retries (each test may override them). */
export function scriptedOptions(
  script: ScriptStep[] | ScriptStep,
  options: DatabricksClientOptions = {},
): { options: DatabricksClientOptions; requests: RecordedRequest[] } {
  const fake = scriptedFetch(script);
  return {
    options: { fetch: fake.fetch, retry: { baseDelayInMs: 1, maxDelayInMs: 5 }, ...options },
    requests: fake.requests,
  };
}

/** A client of WORKSPACE with TOKEN whose requests `script` answers. */
export function scriptedClient(script: ScriptStep[] | ScriptStep, options: DatabricksClientOptions = {}) {
  const scripted = scriptedOptions(script, options);
  const client = new DatabricksWorkspaceClient(WORKSPACE, new StaticTokenCredential(TOKEN), scripted.options);
  return { client, requests: scripted.requests };
}

/** The transport alone, for what every endpoint shares (sending, retries, redaction, scheduling). */
export function scriptedTransport(script: ScriptStep[] | ScriptStep, options: DatabricksClientOptions = {}) {
  const scripted = scriptedOptions(script, options);
  const transport = new DatabricksTransport(WORKSPACE, new StaticTokenCredential(TOKEN), scripted.options);
  return { transport, requests: scripted.requests };
}

/** The DatabricksApiError a call rejects with; fails the test when it resolves or rejects otherwise. */
export async function rejectionOf(promise: Promise<unknown>): Promise<DatabricksApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DatabricksApiError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}
