// Pure: exponential backoff with full jitter (random source injected).

/**
 * Full jitter ("Exponential Backoff And Jitter", AWS Architecture Blog, 2015): a delay drawn uniformly from
 * [0, min(max, base * 2^(attempt-1))]. Parallel callers that failed together then spread out instead of
 * retrying in lockstep.
 * @param attempt 1 for the delay after the first failed attempt.
 */
export function computeBackoffDelay(
  attempt: number,
  baseDelayInMs: number,
  maxDelayInMs: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const ceiling = Math.min(maxDelayInMs, baseDelayInMs * 2 ** exponent);
  return Math.floor(random() * ceiling);
}
