// Unit: how one archive download is repeated within the activity: transient failures a few times, Retry-After
// honoured when it is short, long waits and permanent failures handed back at once.
import { describe, expect, it } from 'vitest';
import { SourceFetchError } from '../../../src/sources/SourceFetchError';
import { withArchiveRetries } from '../../../src/sources/withArchiveRetries';

const transient = (retryAfterInMs?: number): SourceFetchError =>
  new SourceFetchError('SourceUnavailable', 'server error (503); will retry', false, retryAfterInMs);
const permanent = new SourceFetchError('SourceNotFound', 'not found', true);

/** An attempt that throws the given errors in turn, then succeeds; it records when each call came. */
function attempts(errors: Error[]): { attempt: () => Promise<string>; calls: number[] } {
  const calls: number[] = [];
  const started = Date.now();
  return {
    calls,
    attempt: () => {
      calls.push(Date.now() - started);
      const error = errors[calls.length - 1];
      return error ? Promise.reject(error) : Promise.resolve('archive');
    },
  };
}

const fast = { baseDelayInMs: 1, maxDelayInMs: 1_000, signal: new AbortController().signal };

describe('withArchiveRetries', () => {
  it('repeats transient failures up to maxRetries, then succeeds', async () => {
    const { attempt, calls } = attempts([transient(), transient(), transient()]);
    await expect(withArchiveRetries(attempt, { ...fast, maxRetries: 3 })).resolves.toBe('archive');
    expect(calls).toHaveLength(4);
  });

  it('hands back the last failure when the retries run out, and makes one attempt by default', async () => {
    const exhausted = attempts([transient(), transient(), transient()]);
    await expect(withArchiveRetries(exhausted.attempt, { ...fast, maxRetries: 2 })).rejects.toThrow(/503/);
    expect(exhausted.calls).toHaveLength(3);
    const once = attempts([transient()]);
    await expect(withArchiveRetries(once.attempt, { signal: fast.signal })).rejects.toThrow(/503/);
    expect(once.calls).toHaveLength(1);
  });

  it.each([
    ['a permanent failure', permanent],
    ['an error that is not a source failure', new Error('disk full')],
    ['a Retry-After longer than the longest wait (left to the retry policy)', transient(60_000)],
  ])('does not retry %s', async (_name, error) => {
    const { attempt, calls } = attempts([error]);
    await expect(withArchiveRetries(attempt, { ...fast, maxRetries: 3 })).rejects.toBe(error);
    expect(calls).toHaveLength(1);
  });

  it('waits as long as Retry-After says', async () => {
    const { attempt, calls } = attempts([transient(150)]);
    await expect(withArchiveRetries(attempt, { ...fast, maxRetries: 1 })).resolves.toBe('archive');
    expect(calls[1]).toBeGreaterThanOrEqual(140);
  });

  it('hands back the failure it was waiting after when the download is aborted during the wait', async () => {
    const controller = new AbortController();
    const failure = transient(500);
    const { attempt, calls } = attempts([failure]);
    const retried = withArchiveRetries(attempt, { ...fast, maxRetries: 3, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('download timed out')), 20);
    await expect(retried).rejects.toBe(failure);
    expect(calls).toHaveLength(1);
  });
});
