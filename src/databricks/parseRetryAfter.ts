// Pure: the Retry-After header as milliseconds to wait.

/**
 * RFC 9110 §10.2.3 allows delay-seconds or an HTTP-date. Databricks sends whole seconds; the emulator (and
 * some gateways) send decimal seconds such as `0.2`, so fractions are accepted too.
 * Returns undefined when the header is absent or unreadable, so the caller falls back to its own backoff.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  nowInMs: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) {
    return Math.ceil(Number(text) * 1000);
  }
  // Date.parse also reads bare numbers such as "-1" as years: an HTTP-date always names a weekday/month.
  if (!/[a-z]/i.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowInMs);
}
