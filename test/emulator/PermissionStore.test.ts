// Test infrastructure: the emulator's Permissions API rules over HTTPS (RULES.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi } from './callApi';
import { DatabricksEmulator } from './DatabricksEmulator';
import type { JsonObject } from './JsonValue';

let emulator: DatabricksEmulator;
let url: string;

beforeAll(async () => {
  emulator = await DatabricksEmulator.start({ rateLimits: false });
  await emulator.addWorkspace('dev');
  url = emulator.workspaceUrl('dev');
});
afterAll(() => emulator.stop());

async function permissions(
  method: 'GET' | 'PATCH' | 'PUT',
  path: string,
  acl?: JsonObject[],
): Promise<{ status: number; body: JsonObject }> {
  const response = await fetch(`${url}/api/2.0/permissions/${path}`, {
    method,
    headers: {
      authorization: `Bearer ${DatabricksEmulator.defaultToken}`,
      'content-type': 'application/json',
    },
    ...(acl ? { body: JSON.stringify({ access_control_list: acl }) } : {}),
  });
  return { status: response.status, body: (await response.json()) as JsonObject };
}

/** `<principal>=<level>` of every level, inherited ones marked. */
function entries(body: JsonObject): string[] {
  return (body['access_control_list'] as JsonObject[]).flatMap((e) =>
    (e['all_permissions'] as JsonObject[]).map(
      (p) =>
        `${String(e['user_name'] ?? e['group_name'] ?? e['service_principal_name'])}=${String(p['permission_level'])}${p['inherited'] ? ' (inherited)' : ''}`,
    ),
  );
}

describe('permissions', () => {
  it('PATCH adds and keeps, PUT replaces, GET shows the inherited admins', async () => {
    const job = await callApi(url, 'POST', '2.2/jobs/create', { name: 'etl', tasks: [] });
    const id = String(job.body['job_id']);
    const added = await permissions('PATCH', `jobs/${id}`, [
      { group_name: 'users', permission_level: 'CAN_VIEW' },
    ]);
    expect(added.status).toBe(200);
    expect(added.body['object_id']).toBe(`/jobs/${id}`);
    expect(added.body['object_type']).toBe('job');
    const kept = await permissions('PATCH', `jobs/${id}`, [
      { group_name: 'data-engineers', permission_level: 'CAN_MANAGE_RUN' },
    ]);
    expect(entries(kept.body)).toEqual([
      'data-engineers=CAN_MANAGE_RUN',
      'users=CAN_VIEW',
      'bricklane-emulator@example.com=IS_OWNER',
      'admins=CAN_MANAGE (inherited)',
    ]);
    const replaced = await permissions('PUT', `jobs/${id}`, [
      { group_name: 'data-analysts', permission_level: 'CAN_VIEW' },
    ]);
    expect(entries(replaced.body)).toEqual([
      'data-analysts=CAN_VIEW',
      'bricklane-emulator@example.com=IS_OWNER',
      'admins=CAN_MANAGE (inherited)',
    ]);
    expect(entries((await permissions('GET', `jobs/${id}`)).body)).toEqual(entries(replaced.body));
  });

  it('a job is owned by its creator, and keeps one owner through PUT and PATCH', async () => {
    const job = await callApi(url, 'POST', '2.2/jobs/create', { name: 'owned', tasks: [] });
    const id = String(job.body['job_id']);
    emulator.workspace('dev').addPrincipal('user_name', 'ann@example.com');
    const moved = await permissions('PATCH', `jobs/${id}`, [
      { user_name: 'ann@example.com', permission_level: 'IS_OWNER' },
    ]);
    expect(entries(moved.body).filter((e) => e.endsWith('=IS_OWNER'))).toEqual(['ann@example.com=IS_OWNER']);
  });

  it('answers 404 RESOURCE_DOES_NOT_EXIST for an object that does not exist, and knows folders by object id', async () => {
    const missing = await permissions('GET', 'clusters/0101-010101-nothere');
    expect([missing.status, missing.body['error_code']]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
    await callApi(url, 'POST', '2.0/workspace/mkdirs', { path: '/Shared/team' });
    const folder = await callApi(url, 'GET', '2.0/workspace/get-status', { path: '/Shared/team' });
    const set = await permissions('PATCH', `directories/${String(folder.body['object_id'])}`, [
      { group_name: 'users', permission_level: 'CAN_READ' },
    ]);
    expect(set.body['object_type']).toBe('directory');
    expect(entries(set.body)).toContain('users=CAN_READ');
  });
});
