// Pure: options of DatabricksWorkspaceClient and its operations (Azure SDK shape: durations carry units).
import type { RequestScheduler } from './RequestScheduler';

export interface DatabricksRetryOptions {
  /** Retries after the first attempt. Default 8. */
  maxRetries?: number;
  /** Backoff ceiling of the first retry; doubles per retry, with full jitter. Default 200. */
  baseDelayInMs?: number;
  /** Cap of our own backoff. A server's Retry-After is honoured as sent. Default 20_000. */
  maxDelayInMs?: number;
}

/** One attempt of one request, for counting and progress. Carries no headers and no bodies. */
export interface DatabricksRequestInfo {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'HEAD' | 'DELETE';
  /** The endpoint without version, e.g. `workspace/import`. */
  endpoint: string;
  /** HTTP status; undefined when no response arrived (connection error, timeout). */
  status: number | undefined;
  durationInMs: number;
  /** 1 for the first attempt. */
  attempt: number;
  /** Network code or TIMEOUT when no response arrived. */
  errorCode?: string;
}

export interface DatabricksClientOptions {
  /** Injected for tests: the network is faulted by injecting fetch. Default: global fetch. */
  fetch?: typeof fetch;
  /** Shared by all clients of one workspace. Default: a scheduler of this client with `maxInFlight`. */
  scheduler?: RequestScheduler;
  /** In-flight bound of the scheduler this client creates; ignored when `scheduler` is given. Default 16. */
  maxInFlight?: number;
  retry?: DatabricksRetryOptions;
  /** Per attempt, including reading the response body. Default 60_000. */
  timeoutInMs?: number;
  /** Called after every attempt; exceptions from it are ignored. */
  onRequest?: (info: DatabricksRequestInfo) => void;
  /** Sent as User-Agent. Default `bricklane`. */
  userAgent?: string;
}

/** Every operation accepts these (Azure SDK `OperationOptions`). */
export interface DatabricksOperationOptions {
  abortSignal?: AbortSignal;
}

/** Deleting a DBFS path or a workspace object. */
export interface DeleteOptions extends DatabricksOperationOptions {
  /** A non-empty folder needs it. Default false. */
  recursive?: boolean;
}
