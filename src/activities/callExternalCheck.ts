// I/O (activity): asks one of an environment's external checks (BRICKLANE_<ENV>_EXTERNAL_CHECKS) whether the
// stage may apply, once, within CHECK_TIMEOUT_IN_MS; the orchestration asks again on a durable timer while it
// answers "fail" (applyPolicies.ts), so no activity waits for minutes.
// The contract:
// - request: POST <url>, `content-type: application/json`, body
//   { "release", "environment", "bundle", "check", "attempt", "source": { kind, commit, ref, repository,
//     requestedBy }, "plan": { <kind>: { create, update, delete, ... } } (absent before the stage planned) }.
//   user:password in the URL is sent as HTTP Basic authorization (fetch refuses URLs with credentials:
//   WHATWG Fetch, "Request constructor", step 5.4); redirects are not followed (the body would go elsewhere).
// - answer: HTTP 200 with a JSON object { "status": "pass" | "fail", "message"?: string }.
// Anything else (another status code, no JSON object, another "status", a message that is not a string, no
// answer in time) is an `error` with what was wrong, which the stage shows like a "fail" and asks again.
// The URL is a secret (it may carry a key): it is read from the app settings here, never passed through the
// release's history, and no result or error names more of it than the check's name.
import type { ActivityOptions } from 'durable-functions';
import { environmentByName } from '../config/loadSettings';
import { externalCheckNames } from '../config/readPolicies';
import { appServices } from '../services/appServices';
import { appendAudit } from '../services/appendAudit';
import { externalCheckAuditEvent } from '../release/AuditEvent';
import { readRawBody } from '../sources/readRawBody';
import type { CallExternalCheckInput, CallExternalCheckResult } from './contracts';
import { failuresAsData } from './failuresAsData';

/**
 * How long one call may take. Azure DevOps gives a check's first answer 3 s in its asynchronous mode
 * (learn.microsoft.com/azure/devops/pipelines/process/invoke-checks); a check that has to look something up
 * (an alert query) gets more here, and still no activity holds a worker for long.
 */
export const CHECK_TIMEOUT_IN_MS = 10_000;
const MAX_ANSWER_BYTES = 64 * 1024;
const MESSAGE_LENGTH = 300;

export async function callExternalCheck(input: CallExternalCheckInput): Promise<CallExternalCheckResult> {
  const result = await askConfiguredCheck(input);
  // Each answer is a policy check of the audit trail (its message is the check's own words, never its URL).
  await appendAudit(externalCheckAuditEvent(input, result));
  return result;
}

async function askConfiguredCheck(input: CallExternalCheckInput): Promise<CallExternalCheckResult> {
  const env = environmentByName(appServices().settings, input.environment);
  const urls = env.policies?.externalChecks.urls ?? [];
  const url = urls[input.check];
  if (url === undefined || externalCheckNames(urls)[input.check] !== input.name) {
    return {
      outcome: 'error',
      message: `BRICKLANE_${input.environment.toUpperCase()}_EXTERNAL_CHECKS changed since the release started: ${input.name} is no longer its entry ${input.check + 1}; re-run the release`,
    };
  }
  return askExternalCheck(url, {
    release: input.releaseId,
    environment: input.environment,
    bundle: input.bundleId,
    check: input.name,
    attempt: input.attempt,
    source: input.source,
    ...(input.plan ? { plan: input.plan } : {}),
  });
}

export interface AskOptions {
  fetch?: typeof fetch;
  timeoutInMs?: number;
}

/** One call of the check at `url` with `body`: its answer, or an `error` saying what was wrong with it. */
export async function askExternalCheck(
  url: string,
  body: Record<string, unknown>,
  options: AskOptions = {},
): Promise<CallExternalCheckResult> {
  const timeoutInMs = options.timeoutInMs ?? CHECK_TIMEOUT_IN_MS;
  const target = new URL(url);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json',
    'user-agent': 'bricklane',
  };
  if (target.username || target.password) {
    const user = decodeURIComponent(target.username);
    const password = decodeURIComponent(target.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    target.username = '';
    target.password = '';
  }
  let text: string;
  try {
    const response = await (options.fetch ?? fetch)(target, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutInMs),
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      return error(
        `answered HTTP ${response.status}; the contract is HTTP 200 with {"status":"pass"|"fail"}`,
      );
    }
    const read = await readRawBody(response, MAX_ANSWER_BYTES);
    if (!read.ok) return error(`answered more than ${MAX_ANSWER_BYTES / 1024} KB`);
    text = read.bytes.toString('utf8');
  } catch (cause) {
    return error(unreachable(cause, timeoutInMs));
  }
  return parseAnswer(text);
}

/** Strict: a JSON object whose `status` is "pass" or "fail" and whose `message`, if any, is a string. */
export function parseAnswer(text: string): CallExternalCheckResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return error(
      `answered no JSON (${JSON.stringify(clean(text).slice(0, 60))}); the contract is {"status":"pass"|"fail","message":"..."}`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return error(
      'answered JSON that is not an object; the contract is {"status":"pass"|"fail","message":"..."}',
    );
  const { status, message } = value as { status?: unknown; message?: unknown };
  if (message !== undefined && typeof message !== 'string')
    return error('answered a "message" that is not a string');
  if (status !== 'pass' && status !== 'fail')
    return error(
      `answered "status": ${clean(JSON.stringify(status) ?? 'nothing').slice(0, 40)}; it must be "pass" or "fail"`,
    );
  const said = message === undefined ? '' : clean(message);
  return { outcome: status, ...(said ? { message: said } : {}) };
}

function unreachable(cause: unknown, timeoutInMs: number): string {
  const name = cause instanceof Error ? cause.name : '';
  if (name === 'TimeoutError' || name === 'AbortError')
    return `did not answer within ${timeoutInMs / 1000} s`;
  // undici puts the network error in `cause` (ECONNREFUSED, ENOTFOUND, CERT_HAS_EXPIRED, ...): its code says
  // enough, and no text that may repeat the URL is kept.
  const code = (cause as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return `could not be reached${typeof code === 'string' && /^[A-Z0-9_]+$/.test(code) ? ` (${code})` : ''}`;
}

/** One line of printable text, clipped: the check's words go to the status page and the audit trail. */
function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  const line = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  return line.length > MESSAGE_LENGTH ? `${line.slice(0, MESSAGE_LENGTH - 1)}…` : line;
}

function error(message: string): CallExternalCheckResult {
  return { outcome: 'error', message };
}

/** Options for `df.app.activity('callExternalCheck', callExternalCheckOptions)`. */
export const callExternalCheckOptions: ActivityOptions = { handler: failuresAsData(callExternalCheck) };
