// I/O (activity boundary): every activity returns a failure no retry can fix as data, `{ ok: false,
// failure: { code, message, fix } }`, and throws only what a retry can fix (throttling, 5xx, resets,
// timeouts, ledger ETag conflicts, a Durable status lookup that failed), so the orchestration's retry
// policy retries only those. Otherwise a missing secret is retried five times over about 75 s and the
// release ends Failed with no word of why.
import type { InvocationContext } from '@azure/functions';
import { AzureAccessError } from '../azure/AzureAccessError';
import { MissingSecretError } from '../azure/MissingSecretError';
import { MissingVaultError } from '../azure/MissingVaultError';
import { SettingsError } from '../config/loadSettings';
import { DatabricksApiError } from '../databricks/DatabricksApiError';
import { ArchiveRejectedError } from '../sources/ArchiveRejectedError';
import { StagedBundleError } from '../sources/materializeBundle';
import { SourceFetchError } from '../sources/SourceFetchError';
import { forgetConnection } from '../services/appServices';
import type { ActivityFailed, PermanentFailure } from './contracts';

const DOCTOR = 'run `bricklane doctor` (or GET /api/doctor) to check every setting, role and secret';

/**
 * The failure to return for `error`, or undefined when retrying may help (the caller rethrows it). Errors
 * are classified by their class, never by their text, so a new transient error is retried by default.
 */
export function permanentFailureOf(error: unknown): PermanentFailure | undefined {
  if (
    error instanceof MissingSecretError ||
    error instanceof MissingVaultError ||
    error instanceof AzureAccessError
  ) {
    return { code: error.code, message: error.message, fix: error.fix };
  }
  if (error instanceof SettingsError) {
    return {
      code: error.code,
      message: error.problems.join('; '),
      fix: `correct the app settings named in the message, then re-run the release; ${DOCTOR}`,
    };
  }
  if (error instanceof DatabricksApiError && !error.retryable) return databricksFailure(error);
  if (error instanceof StagedBundleError) {
    return {
      code: error.code,
      message: error.message,
      fix: 'stage the bundle again and start a new release',
    };
  }
  if (error instanceof ArchiveRejectedError) {
    return {
      code: error.code,
      message: error.message,
      fix: 'fix the bundle in the repository (or BRICKLANE_BUNDLE_PATH) and push again',
    };
  }
  if (error instanceof SourceFetchError && error.permanent) {
    return {
      code: error.code,
      message: error.message,
      fix: `check the repository, the commit and the source credential the message names, then push again; ${DOCTOR}`,
    };
  }
  return undefined;
}

function databricksFailure(error: DatabricksApiError): PermanentFailure {
  // No HTTP status: the request never got an answer it could use (a name that DNS does not know, a
  // certificate that is not trusted). Timeouts and resets are retryable and never get here.
  if (error.statusCode === undefined) {
    return {
      code: 'WorkspaceUnreachable',
      message: error.message,
      fix: `check the environment's workspace URL (BRICKLANE_<ENV>_WORKSPACE_URL in token mode, the workspace in Azure otherwise); ${DOCTOR}`,
    };
  }
  if (error.kind === 'unauthenticated' || error.kind === 'permissionDenied') {
    return {
      code: error.kind === 'unauthenticated' ? 'WorkspaceTokenRefused' : 'WorkspacePermissionDenied',
      message: error.message,
      fix: `give the identity bricklane uses for this environment access to the workspace (a valid token, or the workspace admin role); ${DOCTOR}`,
    };
  }
  return { code: error.code, message: error.message, fix: DOCTOR };
}

/**
 * The activity handler with permanent failures returned as data. The environment's cached connection is
 * dropped with the failure (a refused token, a secret or role fixed since), so the re-run that follows the
 * fix resolves it again instead of reusing what failed.
 */
export function failuresAsData<I, O>(
  handler: (input: I, context: InvocationContext) => Promise<O>,
): (input: I, context: InvocationContext) => Promise<O | ActivityFailed> {
  return async (input, context) => {
    try {
      return await handler(input, context);
    } catch (error) {
      const failure = permanentFailureOf(error);
      if (!failure) throw error;
      const environment = (input as { environment?: unknown } | null)?.environment;
      if (typeof environment === 'string') forgetConnection(environment);
      context.warn(`${context.functionName}: permanent failure ${failure.code}`);
      return { ok: false, failure };
    }
  };
}
