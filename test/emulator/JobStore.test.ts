// Test infrastructure: the emulator's jobs rules (pagination, expand_tasks, reset, validation) over HTTPS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi } from './callApi';
import { DatabricksEmulator } from './DatabricksEmulator';
import type { JsonObject } from './JsonValue';

let emulator: DatabricksEmulator;
let url: string;
let clusterId: string;

const settings = (name: string): JsonObject => ({
  name,
  tasks: [
    { task_key: 'main', existing_cluster_id: clusterId, notebook_task: { notebook_path: '/Shared/nb' } },
  ],
  job_clusters: [],
  max_concurrent_runs: 1,
});

beforeAll(async () => {
  emulator = await DatabricksEmulator.start({ rateLimits: false });
  const workspace = emulator.addWorkspace('dev');
  url = emulator.workspaceUrl('dev');
  clusterId = workspace.createCluster({
    cluster_name: 'Shared',
    spark_version: '15.4.x-scala2.12',
    node_type_id: 'n',
  });
  for (let i = 0; i < 45; i++) workspace.createJob(settings(`job-${i}`));
});
afterAll(() => emulator.stop());

describe('jobs/list', () => {
  it('pages 45 jobs by 20 into three pages', async () => {
    const pages: JsonObject[] = [];
    let token: string | undefined;
    do {
      const page = await callApi(url, 'GET', '2.1/jobs/list', {
        limit: 20,
        ...(token ? { page_token: token } : {}),
      });
      expect(page.status).toBe(200);
      pages.push(page.body);
      token = page.body['next_page_token'] as string | undefined;
    } while (token);
    expect(pages.map((page) => (page['jobs'] as JsonObject[]).length)).toEqual([20, 20, 5]);
    expect(pages.map((page) => page['has_more'])).toEqual([true, true, false]);
    expect(pages[2]).not.toHaveProperty('next_page_token');
    const ids = pages.flatMap((page) => (page['jobs'] as JsonObject[]).map((job) => job['job_id']));
    expect(new Set(ids).size).toBe(45);
  });

  it('leaves out tasks and job_clusters unless expand_tasks=true', async () => {
    const plain = await callApi(url, 'GET', '2.1/jobs/list', { limit: 1 });
    const [job] = plain.body['jobs'] as JsonObject[];
    expect(job?.['settings']).toEqual({ name: 'job-0', max_concurrent_runs: 1 });
    expect(job).toHaveProperty('created_time');
    const expanded = await callApi(url, 'GET', '2.1/jobs/list', { limit: 1, expand_tasks: true });
    expect((expanded.body['jobs'] as JsonObject[])[0]?.['settings']).toEqual(settings('job-0'));
  });

  it('filters by exact name and refuses limits outside 1..100', async () => {
    const named = await callApi(url, 'GET', '2.1/jobs/list', { name: 'job-7' });
    expect(
      (named.body['jobs'] as JsonObject[]).map((job) => (job['settings'] as JsonObject)['name']),
    ).toEqual(['job-7']);
    expect((await callApi(url, 'GET', '2.1/jobs/list', { name: 'nope' })).body).toEqual({ has_more: false });
    for (const limit of [0, 101]) {
      const refused = await callApi(url, 'GET', '2.1/jobs/list', { limit });
      expect(refused).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
    }
  });
});

describe('jobs create, get, reset, delete', () => {
  it('round-trips settings and replaces them on reset', async () => {
    const created = await callApi(url, 'POST', '2.1/jobs/create', settings('nightly'));
    const jobId = created.body['job_id'] as number;
    expect(typeof jobId).toBe('number');
    const got = await callApi(url, 'GET', '2.1/jobs/get', { job_id: jobId });
    expect(got.body).toMatchObject({ job_id: jobId, settings: settings('nightly') });
    const reset = await callApi(url, 'POST', '2.1/jobs/reset', {
      job_id: jobId,
      new_settings: { name: 'renamed' },
    });
    expect(reset.status).toBe(200);
    expect((await callApi(url, 'GET', '2.1/jobs/get', { job_id: jobId })).body['settings']).toEqual({
      name: 'renamed',
    });
    expect((await callApi(url, 'POST', '2.1/jobs/delete', { job_id: jobId })).status).toBe(200);
    const gone = await callApi(url, 'GET', '2.1/jobs/get', { job_id: jobId });
    expect(gone).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
    expect(gone.body['message']).toContain('does not exist');
  });

  it.each([
    ['a task without task_key', { tasks: [{ notebook_task: { notebook_path: '/x' } }] }],
    ['duplicate task keys', { tasks: [{ task_key: 'a' }, { task_key: 'a' }] }],
    [
      'an unknown existing_cluster_id',
      { tasks: [{ task_key: 'a', existing_cluster_id: '0000-000000-missing0' }] },
    ],
    ['an unknown job_cluster_key', { tasks: [{ task_key: 'a', job_cluster_key: 'nope' }] }],
    ['a dependency on an unknown task', { tasks: [{ task_key: 'a', depends_on: [{ task_key: 'b' }] }] }],
  ])('refuses %s', async (_case, body) => {
    const created = await callApi(url, 'POST', '2.1/jobs/create', body);
    expect(created).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
  });
});
