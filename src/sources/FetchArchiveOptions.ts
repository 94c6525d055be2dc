// Pure: options of the repository archive fetchers (Azure SDK shape: durations carry their unit).
import type { ArchiveRetryOptions } from './withArchiveRetries';

export interface FetchArchiveOptions {
  /** Injected for tests: the network is faulted by injecting fetch. Default: global fetch. */
  fetch?: typeof fetch;
  /** Largest archive accepted. Default 256 MiB: a whole repository, of which only the bundle folder is kept. */
  maxBytes?: number;
  /** For the whole download, redirects and body included. Default 300_000 (an activity's budget is minutes). */
  timeoutInMs?: number;
  abortSignal?: AbortSignal;
  /** Retries of transient failures within the call (withArchiveRetries); default none. */
  retry?: ArchiveRetryOptions;
}

export interface FetchedArchive {
  /** Bytes written to the destination file. */
  bytes: number;
  format: 'tar.gz' | 'zip';
}

export const DEFAULT_MAX_ARCHIVE_BYTES = 256 * 1024 * 1024;
export const DEFAULT_ARCHIVE_TIMEOUT_IN_MS = 300_000;
