import { describe, expect, it } from 'vitest';
import { createDatabricksApiError } from '../../../src/databricks/createDatabricksApiError';
import type { DatabricksErrorKind } from '../../../src/databricks/DatabricksApiError';

const body = (error_code: string, message: string) => JSON.stringify({ error_code, message });

describe('createDatabricksApiError', () => {
  it.each<[number, string, DatabricksErrorKind, string, boolean]>([
    [
      404,
      body('RESOURCE_DOES_NOT_EXIST', "Path (/x) doesn't exist."),
      'notFound',
      'RESOURCE_DOES_NOT_EXIST',
      false,
    ],
    [400, body('RESOURCE_DOES_NOT_EXIST', 'gone'), 'notFound', 'RESOURCE_DOES_NOT_EXIST', false],
    [
      400,
      body('INVALID_PARAMETER_VALUE', 'Cluster 1-a does not exist'),
      'notFound',
      'INVALID_PARAMETER_VALUE',
      false,
    ],
    [
      400,
      body('INVALID_PARAMETER_VALUE', 'Job 7 does not exist.'),
      'notFound',
      'INVALID_PARAMETER_VALUE',
      false,
    ],
    [
      400,
      body('INVALID_PARAMETER_VALUE', 'Missing required field: spark_version'),
      'invalidRequest',
      'INVALID_PARAMETER_VALUE',
      false,
    ],
    [400, body('RESOURCE_ALREADY_EXISTS', 'exists'), 'alreadyExists', 'RESOURCE_ALREADY_EXISTS', false],
    [400, body('INVALID_STATE', 'Cluster is PENDING'), 'invalidState', 'INVALID_STATE', false],
    [400, body('MAX_BLOCK_SIZE_EXCEEDED', 'too big'), 'invalidRequest', 'MAX_BLOCK_SIZE_EXCEEDED', false],
    [
      400,
      body('MAX_NOTEBOOK_SIZE_EXCEEDED', 'too big'),
      'invalidRequest',
      'MAX_NOTEBOOK_SIZE_EXCEEDED',
      false,
    ],
    [400, body('DIRECTORY_NOT_EMPTY', 'not empty'), 'invalidRequest', 'DIRECTORY_NOT_EMPTY', false],
    [401, body('UNAUTHENTICATED', 'bad token'), 'unauthenticated', 'UNAUTHENTICATED', false],
    [401, '', 'unauthenticated', 'HTTP_401', false],
    [403, body('PERMISSION_DENIED', 'no'), 'permissionDenied', 'PERMISSION_DENIED', false],
    // The service's bad-token answer: 403 with the number 403 as error_code (databricks-sdk-go #873, #917).
    [
      403,
      JSON.stringify({ error_code: 403, message: 'Invalid access token.' }),
      'unauthenticated',
      'HTTP_403',
      false,
    ],
    [429, body('REQUEST_LIMIT_EXCEEDED', 'slow'), 'throttled', 'REQUEST_LIMIT_EXCEEDED', true],
    [429, body('RESOURCE_EXHAUSTED', 'slow'), 'throttled', 'RESOURCE_EXHAUSTED', true],
    [500, body('INTERNAL_ERROR', 'oops'), 'transient', 'INTERNAL_ERROR', true],
    [502, '<html><body>Bad Gateway</body></html>', 'transient', 'HTTP_502', true],
    [503, body('TEMPORARILY_UNAVAILABLE', 'busy'), 'transient', 'TEMPORARILY_UNAVAILABLE', true],
    [404, '<html>Not Found</html>', 'invalidRequest', 'HTTP_404', false],
    [404, body('ENDPOINT_NOT_FOUND', 'No API found'), 'invalidRequest', 'ENDPOINT_NOT_FOUND', false],
  ])('%i %s -> %s', (statusCode, text, kind, code, retryable) => {
    const error = createDatabricksApiError({ endpoint: 'x/y', statusCode, body: text });
    expect(error).toMatchObject({ kind, code, statusCode, endpoint: 'x/y', retryable });
    expect(error.name).toMatch(/^Databricks\w+Error$/);
    expect(error.message.startsWith('databricks x/y: ')).toBe(true);
  });

  it('says how to fix authentication and permission failures', () => {
    const unauthenticated = createDatabricksApiError({ endpoint: 'a', statusCode: 401, body: '' });
    expect(unauthenticated.message).toMatch(/expired or revoked.*2ff814a6-3304-4ab8-85cb-cd0e6f879c1d/);
    const denied = createDatabricksApiError({
      endpoint: 'a',
      statusCode: 403,
      body: body('PERMISSION_DENIED', 'no'),
    });
    expect(denied.message).toMatch(/lacks access.*Grant it permission/);
  });

  it('hints at the workspace URL for a 404 without an error code, and shortens long pages', () => {
    const error = createDatabricksApiError({
      endpoint: 'a',
      statusCode: 404,
      body: `<p>${'x'.repeat(1000)}</p>`,
    });
    expect(error.message).toMatch(/is the workspace URL right\?/);
    expect(error.message.length).toBeLessThan(400);
  });
});
