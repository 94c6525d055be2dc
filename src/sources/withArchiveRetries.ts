// I/O: repeats one repository archive download while it fails for a reason a retry can fix: a 5xx, a 429 or
// an exhausted rate limit, a dropped connection or a body cut short (SourceFetchError, not permanent). The
// Azure SDK pipelines do the same for every request (core-rest-pipeline: 3 retries, exponential backoff,
// Retry-After honoured); without it, one lost connection costs the release a whole activity retry (the
// retry policy's first interval is 5 s). A Retry-After longer than the longest delay here is left to the
// orchestration's retry policy, whose intervals are that long, rather than held inside the activity.
import { computeBackoffDelay } from '../databricks/computeBackoffDelay';
import { delay } from '../databricks/delay';
import { SourceFetchError } from './SourceFetchError';

export interface ArchiveRetryOptions {
  /** Attempts after the first. Default 0: one attempt, the caller retries. */
  maxRetries?: number;
  /** Ceiling of the first backoff (full jitter). Default 500. */
  baseDelayInMs?: number;
  /** Longest wait between attempts, Retry-After included. Default 8_000. */
  maxDelayInMs?: number;
}

/** What stageSource allows one download within its activity, before the retry policy takes over. */
export const ARCHIVE_RETRIES: ArchiveRetryOptions = {
  maxRetries: 3,
  baseDelayInMs: 500,
  maxDelayInMs: 8_000,
};

export async function withArchiveRetries<T>(
  attempt: () => Promise<T>,
  options: ArchiveRetryOptions & { signal: AbortSignal },
): Promise<T> {
  const maxRetries = options.maxRetries ?? 0;
  const baseDelayInMs = options.baseDelayInMs ?? 500;
  const maxDelayInMs = options.maxDelayInMs ?? 8_000;
  for (let retry = 1; ; retry += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof SourceFetchError) || error.permanent) throw error;
      if (retry > maxRetries || options.signal.aborted) throw error;
      const wait = error.retryAfterInMs ?? computeBackoffDelay(retry, baseDelayInMs, maxDelayInMs);
      if (wait > maxDelayInMs) throw error;
      // Aborted while waiting: the failure that made it wait is the answer.
      await delay(wait, options.signal).catch(() => {
        throw error;
      });
    }
  }
}
