// Unit tests: which errors are permanent (returned as data with a code and a fix, so the release ends at
// once) and which are transient (rethrown for the retry policy), by class, never by message text.
import type { InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { failuresAsData, permanentFailureOf } from '../../../src/activities/failuresAsData';
import { AzureAccessError } from '../../../src/azure/AzureAccessError';
import { OrchestrationLookupError } from '../../../src/azure/findOrchestration';
import { LedgerConflictError } from '../../../src/azure/LedgerStore';
import { MissingSecretError } from '../../../src/azure/MissingSecretError';
import { MissingVaultError } from '../../../src/azure/MissingVaultError';
import { REQUIRED_ROLES } from '../../../src/azure/requiredRoles';
import { SettingsError } from '../../../src/config/loadSettings';
import {
  DatabricksInvalidRequestError,
  DatabricksPermissionDeniedError,
  DatabricksThrottledError,
  DatabricksTransientError,
  DatabricksUnauthenticatedError,
} from '../../../src/databricks/DatabricksApiError';
import { ArchiveRejectedError } from '../../../src/sources/ArchiveRejectedError';
import { StagedBundleError } from '../../../src/sources/materializeBundle';
import { SourceFetchError } from '../../../src/sources/SourceFetchError';

const role = REQUIRED_ROLES[0];
if (!role) throw new Error('no required roles');
const api = { endpoint: 'clusters/list', detail: 'x' };

describe('permanentFailureOf', () => {
  it.each([
    [
      'a missing secret',
      new MissingSecretError('kv', 'databricks-dev-ops-client-secret'),
      'SecretNotFound',
      'az keyvault secret set --vault-name kv --name databricks-dev-ops-client-secret --value <value>',
    ],
    [
      'a missing vault',
      new MissingVaultError('kv', 'rg', 'westeurope'),
      'VaultNotFound',
      /^az keyvault create --name kv/,
    ],
    [
      'a missing role',
      new AzureAccessError('p1', '/subscriptions/s', role, 'write'),
      'AuthorizationFailed',
      /^az role assignment create/,
    ],
    [
      'invalid settings',
      new SettingsError(['BRICKLANE_X is bad']),
      'InvalidSettings',
      /^correct the app settings/,
    ],
    [
      'a refused token',
      new DatabricksUnauthenticatedError({ ...api, code: '401', statusCode: 401 }),
      'WorkspaceTokenRefused',
      /access to the workspace/,
    ],
    [
      'a denied permission',
      new DatabricksPermissionDeniedError({ ...api, code: 'PERMISSION_DENIED', statusCode: 403 }),
      'WorkspacePermissionDenied',
      /access to the workspace/,
    ],
    [
      'an unknown workspace host',
      new DatabricksInvalidRequestError({ ...api, code: 'ENOTFOUND' }),
      'WorkspaceUnreachable',
      /WORKSPACE_URL/,
    ],
    [
      'a staged bundle that does not match',
      new StagedBundleError('bad'),
      'StagedBundleInvalid',
      /stage the bundle again/,
    ],
    [
      'a rejected archive',
      new ArchiveRejectedError('MissingFolder', 'no folder'),
      'MissingFolder',
      /fix the bundle/,
    ],
    [
      'a source that does not exist',
      new SourceFetchError('SourceNotFound', 'gone', true),
      'SourceNotFound',
      /push again/,
    ],
  ])('%s is permanent, with its code and fix', (_, error, code, fix) => {
    const failure = permanentFailureOf(error);
    expect(failure?.code).toBe(code);
    expect(failure?.message).toBe(error instanceof SettingsError ? 'BRICKLANE_X is bad' : error.message);
    if (typeof fix === 'string') expect(failure?.fix).toBe(fix);
    else expect(failure?.fix).toMatch(fix);
  });

  it.each([
    ['throttling', new DatabricksThrottledError({ ...api, code: '429', statusCode: 429 })],
    ['an outage', new DatabricksTransientError({ ...api, code: '503', statusCode: 503 })],
    ['a reset connection', new DatabricksTransientError({ ...api, code: 'ECONNRESET' })],
    ['a ledger conflict', new LedgerConflictError('dev')],
    ['a failed status lookup', new OrchestrationLookupError('r1', new Error('500'))],
    ['a source outage', new SourceFetchError('SourceUnavailable', 'later', false)],
    ['anything else', new Error('unexpected')],
  ])('%s is transient: retried', (_, error) => {
    expect(permanentFailureOf(error)).toBeUndefined();
  });
});

describe('failuresAsData', () => {
  const context = { functionName: 'planEnvironment', warn: () => undefined } as unknown as InvocationContext;

  it('returns a permanent failure as data and rethrows a transient one', async () => {
    const secret = failuresAsData(() => Promise.reject(new MissingSecretError('kv', 's')));
    expect(await secret({ environment: 'dev' }, context)).toEqual({
      ok: false,
      failure: expect.objectContaining({ code: 'SecretNotFound' }),
    });
    const outage = failuresAsData(() => Promise.reject(new LedgerConflictError('dev')));
    await expect(outage({ environment: 'dev' }, context)).rejects.toBeInstanceOf(LedgerConflictError);
    const fine = failuresAsData((input: { n: number }) => Promise.resolve(input.n + 1));
    expect(await fine({ n: 1 }, context)).toBe(2);
  });
});
