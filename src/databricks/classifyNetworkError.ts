// Pure: what a rejected fetch means — which low-level code, whether retrying can help, whether it was sent.

export interface NetworkErrorClass {
  /** The innermost system/undici code (ECONNRESET, UND_ERR_SOCKET, ...) or NETWORK_ERROR. */
  code: string;
  /** Worth retrying: the connection failed, not the request's content. */
  transient: boolean;
  /**
   * True when the request cannot have reached the server (no connection was made), so even a
   * non-idempotent call may be retried.
   */
  notSent: boolean;
}

// Connection-phase failures: the request never left this machine.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);

// Failures after a connection existed: the server may or may not have acted on the request.
const AMBIGUOUS_CODES = new Set([
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * Node's fetch rejects with `TypeError('fetch failed')` whose `cause` carries the code (sometimes nested one
 * level deeper); body reads can reject with the system error itself. ENOTFOUND and TLS errors are not
 * transient: retrying a wrong host name or an untrusted certificate only delays the real message.
 */
export function classifyNetworkError(error: unknown): NetworkErrorClass | undefined {
  let current: unknown = error;
  let code: string | undefined;
  let hangUp = false;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const candidate = (current as { code?: unknown }).code;
    if (typeof candidate === 'string') code = candidate;
    const message = (current as { message?: unknown }).message;
    if (typeof message === 'string' && /socket hang up/i.test(message)) hangUp = true;
    current = (current as { cause?: unknown }).cause;
  }
  const isFetchFailure = error instanceof TypeError && /fetch failed|terminated/i.test(error.message);
  if (code === undefined && !hangUp && !isFetchFailure) return undefined;
  if (code !== undefined && NOT_SENT_CODES.has(code)) return { code, transient: true, notSent: true };
  if ((code !== undefined && AMBIGUOUS_CODES.has(code)) || hangUp) {
    return { code: code ?? 'ECONNRESET', transient: true, notSent: false };
  }
  if (code === undefined) {
    // `fetch failed` / `terminated` without a code: undici lost the connection mid-request.
    return { code: 'NETWORK_ERROR', transient: true, notSent: false };
  }
  return { code, transient: false, notSent: false };
}
