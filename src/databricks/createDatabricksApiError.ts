// Pure: an HTTP error response of the Databricks REST API -> the typed error a caller can act on.
import {
  DatabricksAlreadyExistsError,
  DatabricksApiError,
  DatabricksInvalidRequestError,
  DatabricksInvalidStateError,
  DatabricksNotFoundError,
  DatabricksPermissionDeniedError,
  DatabricksThrottledError,
  DatabricksTransientError,
  DatabricksUnauthenticatedError,
  type DatabricksApiErrorInit,
  type DatabricksErrorKind,
} from './DatabricksApiError';

export interface ErrorResponse {
  endpoint: string;
  statusCode: number;
  /** The response body as text; the caller has already removed secrets from it. */
  body: string;
  retryAfterInMs?: number;
  attempts?: number;
  /** Appended to the message, e.g. "gave up after 9 attempts". */
  note?: string;
}

/** The Azure Databricks resource (application) id an AAD token must be issued for. */
const AZURE_DATABRICKS_RESOURCE = '2ff814a6-3304-4ab8-85cb-cd0e6f879c1d';
const MAX_SERVER_MESSAGE_LENGTH = 300;

export function createDatabricksApiError(response: ErrorResponse): DatabricksApiError {
  const { errorCode, message } = readErrorBody(response.body);
  const code = errorCode ?? `HTTP_${response.statusCode}`;
  const kind = classify(response.statusCode, errorCode, message);
  const said = message === '' ? '' : `: ${message}`;
  let detail: string;
  switch (kind) {
    case 'unauthenticated':
      detail =
        `the workspace rejected the credential (${response.statusCode} ${code})${said}. ` +
        'The token is missing, expired or revoked: renew the personal access token, or request an AAD token ' +
        `for resource ${AZURE_DATABRICKS_RESOURCE} (refreshed at least 40 s before expiry)`;
      break;
    case 'permissionDenied':
      detail =
        `the identity lacks access (${response.statusCode} ${code})${said}. ` +
        'Grant it permission on this object (or workspace access); a service principal must be added to ' +
        'the workspace, or be an Azure Contributor on it and send X-Databricks-Azure-SP-Management-Token';
      break;
    case 'invalidRequest':
      detail =
        errorCode === undefined || errorCode === 'ENDPOINT_NOT_FOUND'
          ? `${response.statusCode} ${code}${said} (is the workspace URL right?)`
          : `${response.statusCode} ${code}${said}`;
      break;
    default:
      detail = `${response.statusCode} ${code}${said}`;
  }
  if (response.note !== undefined) detail += ` (${response.note})`;
  const init: DatabricksApiErrorInit = {
    code,
    endpoint: response.endpoint,
    statusCode: response.statusCode,
    detail,
    attempts: response.attempts,
    retryAfterInMs: response.retryAfterInMs,
  };
  return new ERROR_CLASSES[kind](init);
}

const ERROR_CLASSES: Record<DatabricksErrorKind, new (init: DatabricksApiErrorInit) => DatabricksApiError> = {
  notFound: DatabricksNotFoundError,
  alreadyExists: DatabricksAlreadyExistsError,
  invalidState: DatabricksInvalidStateError,
  unauthenticated: DatabricksUnauthenticatedError,
  permissionDenied: DatabricksPermissionDeniedError,
  throttled: DatabricksThrottledError,
  transient: DatabricksTransientError,
  invalidRequest: DatabricksInvalidRequestError,
};

function classify(statusCode: number, errorCode: string | undefined, message: string): DatabricksErrorKind {
  if (errorCode === 'RESOURCE_DOES_NOT_EXIST' || errorCode === 'NOT_FOUND') return 'notFound';
  // A 404 without a Databricks error code is a wrong URL (a proxy page, ENDPOINT_NOT_FOUND), not a missing
  // object: treating it as "absent" would make get-status report everything missing.
  if (statusCode === 404 && errorCode !== undefined && errorCode !== 'ENDPOINT_NOT_FOUND') return 'notFound';
  // clusters/get and jobs/get answer a missing id with 400 INVALID_PARAMETER_VALUE "Cluster x does not exist"
  // (Clusters API 2.1 / Jobs API 2.1 reference; the Terraform provider matches the same text).
  if (errorCode === 'INVALID_PARAMETER_VALUE' && /(does not|doesn't) exist/i.test(message)) return 'notFound';
  if (errorCode === 'RESOURCE_ALREADY_EXISTS') return 'alreadyExists';
  if (errorCode === 'INVALID_STATE') return 'invalidState';
  // Azure Databricks refuses a bad, expired or revoked token with 403 "Invalid access token." (its
  // error_code is the number 403; databricks-sdk-go #873, #917): a refused token, not a missing permission.
  if (statusCode === 401 || errorCode === 'UNAUTHENTICATED') return 'unauthenticated';
  if (statusCode === 403 && /^invalid access token\b/i.test(message)) return 'unauthenticated';
  if (statusCode === 403 || errorCode === 'PERMISSION_DENIED') return 'permissionDenied';
  // RESOURCE_EXHAUSTED and REQUEST_LIMIT_EXCEEDED are both used for rate limits (Azure Databricks "API
  // rate limits"); TEMPORARILY_UNAVAILABLE comes with 503.
  if (statusCode === 429 || errorCode === 'REQUEST_LIMIT_EXCEEDED' || errorCode === 'RESOURCE_EXHAUSTED') {
    return 'throttled';
  }
  if (statusCode >= 500 || errorCode === 'TEMPORARILY_UNAVAILABLE' || errorCode === 'INTERNAL_ERROR') {
    return 'transient';
  }
  return 'invalidRequest';
}

function readErrorBody(body: string): { errorCode: string | undefined; message: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed === 'object' && parsed !== null) {
    const record = parsed as Record<string, unknown>;
    const errorCode =
      typeof record.error_code === 'string' && record.error_code !== '' ? record.error_code : undefined;
    const text =
      typeof record.message === 'string'
        ? record.message
        : typeof record.error === 'string'
          ? record.error
          : '';
    return { errorCode, message: shorten(text) };
  }
  // Gateways answer with HTML or plain text; a short excerpt still helps, the whole page does not.
  return { errorCode: undefined, message: shorten(body.replace(/<[^>]*>/g, ' ')) };
}

function shorten(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_SERVER_MESSAGE_LENGTH
    ? `${oneLine.slice(0, MAX_SERVER_MESSAGE_LENGTH)}…`
    : oneLine;
}
