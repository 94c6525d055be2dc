// Pure: typed errors of the Databricks workspace client, one class per way a caller reacts.
// Activities return permanent failures as data and throw transient ones, so every error says
// whether retrying later can help (`retryable`) and carries a `kind` that survives serialization.

export type DatabricksErrorKind =
  | 'notFound'
  | 'alreadyExists'
  | 'invalidState'
  | 'unauthenticated'
  | 'permissionDenied'
  | 'throttled'
  | 'transient'
  | 'invalidRequest';

export interface DatabricksApiErrorInit {
  /** The API's `error_code` (RESOURCE_DOES_NOT_EXIST, ...), a network code (ECONNRESET) or TIMEOUT. */
  code: string;
  /** The endpoint without version, e.g. `workspace/import`. */
  endpoint: string;
  /** HTTP status; undefined for network failures and local validation. */
  statusCode?: number;
  /** Text after the `databricks <endpoint>: ` prefix. */
  detail: string;
  /** Attempts made, including the one that produced this error; 0 when refused before sending. */
  attempts?: number;
  /** The server's Retry-After, when it sent one. */
  retryAfterInMs?: number;
  cause?: unknown;
}

export class DatabricksApiError extends Error {
  readonly code: string;
  readonly kind: DatabricksErrorKind = 'invalidRequest';
  readonly statusCode: number | undefined;
  readonly endpoint: string;
  readonly attempts: number;
  readonly retryAfterInMs: number | undefined;

  constructor(init: DatabricksApiErrorInit) {
    super(
      `databricks ${init.endpoint}: ${init.detail}`,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.name = new.target.name;
    this.code = init.code;
    this.statusCode = init.statusCode;
    this.endpoint = init.endpoint;
    this.attempts = init.attempts ?? 1;
    this.retryAfterInMs = init.retryAfterInMs;
  }

  /** Whether the same call may succeed later unchanged (throttling, outages, lost connections). */
  get retryable(): boolean {
    return false;
  }
}

/** 404, RESOURCE_DOES_NOT_EXIST, or the 400 "... does not exist" that clusters/get and jobs/get return. */
export class DatabricksNotFoundError extends DatabricksApiError {
  override readonly kind = 'notFound';
}

/** RESOURCE_ALREADY_EXISTS: e.g. import or put with overwrite=false onto an existing path. */
export class DatabricksAlreadyExistsError extends DatabricksApiError {
  override readonly kind = 'alreadyExists';
}

/** INVALID_STATE: e.g. clusters/edit outside RUNNING/TERMINATED, clusters/start on a running cluster. */
export class DatabricksInvalidStateError extends DatabricksApiError {
  override readonly kind = 'invalidState';
}

/**
 * 401, or 403 "Invalid access token." (Azure Databricks' answer, databricks-sdk-go #873, #917): the token is
 * missing, expired, revoked or issued for another resource.
 */
export class DatabricksUnauthenticatedError extends DatabricksApiError {
  override readonly kind = 'unauthenticated';
}

/** 403 otherwise: the identity is known but lacks the permission. */
export class DatabricksPermissionDeniedError extends DatabricksApiError {
  override readonly kind = 'permissionDenied';
}

/** 429 after the client's retries ran out. */
export class DatabricksThrottledError extends DatabricksApiError {
  override readonly kind = 'throttled';
  override get retryable(): boolean {
    return true;
  }
}

/** 5xx, lost connections and timeouts, after retries ran out (or not retried because the call is unsafe to repeat). */
export class DatabricksTransientError extends DatabricksApiError {
  override readonly kind = 'transient';
  override get retryable(): boolean {
    return true;
  }
}

/** Any other 4xx, and requests refused locally because the API would reject them (size limits, ...). */
export class DatabricksInvalidRequestError extends DatabricksApiError {
  override readonly kind = 'invalidRequest';
}
