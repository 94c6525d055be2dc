// Test infrastructure: the emulator's Secrets API rules over HTTPS (SecretStore.ts cites the reference).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi } from './callApi';
import { DatabricksEmulator } from './DatabricksEmulator';
import type { JsonObject } from './JsonValue';
import type { WorkspaceState } from './WorkspaceState';

let emulator: DatabricksEmulator;
let workspace: WorkspaceState;
let url: string;
const post = (endpoint: string, body: JsonObject) => callApi(url, 'POST', `2.0/secrets/${endpoint}`, body);
const get = (endpoint: string, query: JsonObject = {}) =>
  callApi(url, 'GET', `2.0/secrets/${endpoint}`, query);

beforeAll(async () => {
  emulator = await DatabricksEmulator.start({ rateLimits: false });
  workspace = await emulator.addWorkspace('dev');
  url = emulator.workspaceUrl('dev');
});
afterAll(async () => {
  await emulator?.stop();
});

describe('emulated secret scopes', () => {
  it('creates a Databricks-backed scope once, its creator holding MANAGE; a second create is RESOURCE_ALREADY_EXISTS', async () => {
    expect((await post('scopes/create', { scope: 'app', scope_backend_type: 'DATABRICKS' })).status).toBe(
      200,
    );
    const again = await post('scopes/create', { scope: 'APP' });
    expect([again.status, again.body['error_code']]).toEqual([400, 'RESOURCE_ALREADY_EXISTS']);
    expect((await get('scopes/list')).body).toEqual({
      scopes: [{ name: 'app', backend_type: 'DATABRICKS' }],
    });
    expect((await get('acls/list', { scope: 'app' })).body['items']).toEqual([
      { principal: 'bricklane-emulator@example.com', permission: 'MANAGE' },
    ]);
  });

  it.each([
    [{ scope: 'has space' }, 'INVALID_PARAMETER_VALUE'],
    [{ scope: 'x'.repeat(129) }, 'INVALID_PARAMETER_VALUE'],
    [{ scope: 'kv', scope_backend_type: 'AZURE_KEYVAULT' }, 'INVALID_PARAMETER_VALUE'],
  ])('refuses scopes/create %j with %s', async (body, code) => {
    const answer = await post('scopes/create', body);
    expect([answer.status, answer.body['error_code']]).toEqual([400, code]);
  });

  it('writes a key, lists it with last_updated_timestamp and never its value; overwrites on a second put', async () => {
    expect(
      (await post('put', { scope: 'app', key: 'db-password', string_value: 'hunter2-first' })).status,
    ).toBe(200);
    expect(
      (await post('put', { scope: 'app', key: 'db-password', string_value: 'hunter2-second' })).status,
    ).toBe(200);
    const listed = await get('list', { scope: 'app' });
    expect(listed.body['secrets']).toEqual([
      { key: 'db-password', last_updated_timestamp: expect.any(Number) as number },
    ]);
    expect(JSON.stringify(listed.body)).not.toContain('hunter2');
    expect(workspace.secrets.value('app', 'db-password')).toBe('hunter2-second');
    // secrets/get is for DBUtils only: not served over REST.
    expect((await get('get', { scope: 'app', key: 'db-password' })).status).toBe(404);
  });

  it.each([
    [{ scope: 'nope', key: 'k', string_value: 'v' }, 404, 'RESOURCE_DOES_NOT_EXIST'],
    [{ scope: 'app', key: 'bad/key', string_value: 'v' }, 400, 'INVALID_PARAMETER_VALUE'],
    [{ scope: 'app', key: 'k' }, 400, 'INVALID_PARAMETER_VALUE'],
    [{ scope: 'app', key: 'k', string_value: 'v', bytes_value: 'dg==' }, 400, 'INVALID_PARAMETER_VALUE'],
    [{ scope: 'app', key: 'big', string_value: 'x'.repeat(128 * 1024 + 1) }, 400, 'INVALID_PARAMETER_VALUE'],
  ])('refuses put %#: %i %s, and never echoes the value', async (body, status, code) => {
    const answer = await post('put', body as JsonObject);
    expect([answer.status, answer.body['error_code']]).toEqual([status, code]);
    expect(JSON.stringify(answer.body)).not.toContain('xxxxxxxx');
  });

  it('holds at most 1000 secrets in a scope (RESOURCE_LIMIT_EXCEEDED)', async () => {
    await post('scopes/create', { scope: 'full' });
    for (let i = 0; i < 1000; i++) workspace.secrets.put('full', `k${i}`, 'v', undefined);
    const answer = await post('put', { scope: 'full', key: 'one-more', string_value: 'v' });
    expect([answer.status, answer.body['error_code']]).toEqual([400, 'RESOURCE_LIMIT_EXCEEDED']);
  });

  it('puts (creates or overwrites) and deletes ACL entries of READ, WRITE or MANAGE only', async () => {
    expect(
      (await post('acls/put', { scope: 'app', principal: 'data-engineers', permission: 'READ' })).status,
    ).toBe(200);
    expect(
      (await post('acls/put', { scope: 'app', principal: 'data-engineers', permission: 'WRITE' })).status,
    ).toBe(200);
    const bad = await post('acls/put', { scope: 'app', principal: 'x', permission: 'CAN_READ' });
    expect([bad.status, bad.body['error_code']]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    expect((await get('acls/list', { scope: 'app' })).body['items']).toContainEqual({
      principal: 'data-engineers',
      permission: 'WRITE',
    });
    expect((await post('acls/delete', { scope: 'app', principal: 'data-engineers' })).status).toBe(200);
    const gone = await post('acls/delete', { scope: 'app', principal: 'data-engineers' });
    expect([gone.status, gone.body['error_code']]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
  });

  it('deletes a key and a scope; both answer RESOURCE_DOES_NOT_EXIST afterwards', async () => {
    expect((await post('delete', { scope: 'app', key: 'db-password' })).status).toBe(200);
    expect((await post('delete', { scope: 'app', key: 'db-password' })).body['error_code']).toBe(
      'RESOURCE_DOES_NOT_EXIST',
    );
    expect((await post('scopes/delete', { scope: 'app' })).status).toBe(200);
    const listed = await get('list', { scope: 'app' });
    expect([listed.status, listed.body['error_code']]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
  });
});
