// Test infrastructure: the emulator's jobs rules (pagination, expand_tasks, reset, update, validation, the
// Jobs 2.2 differences) over HTTPS.
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
  const workspace = await emulator.addWorkspace('dev');
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

  it('filters by exact name, case-insensitive, and refuses limits outside 1..100', async () => {
    for (const version of ['2.1', '2.2']) {
      for (const name of ['job-7', 'JOB-7', 'Job-7']) {
        const named = await callApi(url, 'GET', `${version}/jobs/list`, { name });
        expect(
          (named.body['jobs'] as JsonObject[]).map((job) => (job['settings'] as JsonObject)['name']),
        ).toEqual(['job-7']);
      }
    }
    expect((await callApi(url, 'GET', '2.2/jobs/list', { name: 'job-' })).body).toEqual({ has_more: false });
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

describe('serverless jobs (environments)', () => {
  const environments = [
    { environment_key: 'default', spec: { environment_version: '2', dependencies: ['x==1'] } },
  ];
  const serverlessTask = {
    task_key: 'a',
    environment_key: 'default',
    notebook_task: { notebook_path: '/x' },
  };

  it('stores environments and a task with environment_key and no cluster, and answers them in jobs/get', async () => {
    const body = { name: 'serverless', environments, tasks: [serverlessTask] };
    const created = await callApi(url, 'POST', '2.2/jobs/create', body);
    expect(created.status).toBe(200);
    const got = await callApi(url, 'GET', '2.2/jobs/get', { job_id: created.body['job_id'] as number });
    expect(got.body['settings']).toMatchObject({ environments, tasks: [serverlessTask] });
  });

  it.each([
    [
      'an environment_key no environment defines',
      { environments, tasks: [{ ...serverlessTask, environment_key: 'gpu' }] },
    ],
    [
      'a duplicate environment_key',
      { environments: [...environments, ...environments], tasks: [serverlessTask] },
    ],
    [
      'an environment without a version',
      { environments: [{ environment_key: 'default', spec: {} }], tasks: [serverlessTask] },
    ],
    [
      'a serverless task on a cluster',
      { environments, tasks: [{ ...serverlessTask, new_cluster: { spark_version: '15.4.x-scala2.12' } }] },
    ],
  ])('refuses %s', async (_case, body) => {
    const created = await callApi(url, 'POST', '2.2/jobs/create', body);
    expect(created).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
  });
});

const manyTasks = (count: number): JsonObject[] =>
  Array.from({ length: count }, (_, i) => ({
    task_key: `t${i}`,
    existing_cluster_id: clusterId,
    notebook_task: { notebook_path: `/Shared/nb${i}` },
  }));

describe('Jobs 2.2', () => {
  it('queues a job created or reset without queue, and keeps an explicit queue; 2.1 adds none', async () => {
    const queued = (await callApi(url, 'POST', '2.2/jobs/create', settings('q22'))).body['job_id'] as number;
    const kept = (
      await callApi(url, 'POST', '2.2/jobs/create', { ...settings('q-off'), queue: { enabled: false } })
    ).body['job_id'] as number;
    const old = (await callApi(url, 'POST', '2.1/jobs/create', settings('q21'))).body['job_id'] as number;
    const queueOf = async (jobId: number, version = '2.2') =>
      ((await callApi(url, 'GET', `${version}/jobs/get`, { job_id: jobId })).body['settings'] as JsonObject)[
        'queue'
      ];
    expect(await queueOf(queued)).toEqual({ enabled: true });
    expect(await queueOf(kept)).toEqual({ enabled: false });
    expect(await queueOf(old)).toBeUndefined();
    await callApi(url, 'POST', '2.1/jobs/reset', { job_id: queued, new_settings: settings('q22') });
    expect(await queueOf(queued, '2.1')).toBeUndefined();
    await callApi(url, 'POST', '2.2/jobs/reset', { job_id: old, new_settings: settings('q21') });
    expect(await queueOf(old)).toEqual({ enabled: true });
  });

  it('pages tasks, job_clusters and parameters by 100 in jobs/get; 2.1 answers the whole job', async () => {
    const parameters = Array.from({ length: 105 }, (_, i) => ({ name: `p${i}`, default: '' }));
    const big = { name: 'big', tasks: manyTasks(150), job_clusters: [], parameters, max_concurrent_runs: 1 };
    const jobId = (await callApi(url, 'POST', '2.2/jobs/create', big)).body['job_id'] as number;
    const first = await callApi(url, 'GET', '2.2/jobs/get', { job_id: jobId });
    const firstSettings = first.body['settings'] as JsonObject;
    expect((firstSettings['tasks'] as JsonObject[]).map((t) => t['task_key'])).toEqual(
      manyTasks(100).map((t) => t['task_key']),
    );
    expect(firstSettings['parameters']).toEqual(parameters.slice(0, 100));
    expect(firstSettings).toMatchObject({ name: 'big', job_clusters: [], max_concurrent_runs: 1 });
    expect(typeof first.body['next_page_token']).toBe('string');
    const second = await callApi(url, 'GET', '2.2/jobs/get', {
      job_id: jobId,
      page_token: first.body['next_page_token'] as string,
    });
    const secondSettings = second.body['settings'] as JsonObject;
    expect(secondSettings['tasks']).toEqual(manyTasks(150).slice(100));
    expect(secondSettings['parameters']).toEqual(parameters.slice(100));
    expect(secondSettings['job_clusters']).toEqual([]);
    expect(second.body).not.toHaveProperty('next_page_token');
    const whole = await callApi(url, 'GET', '2.1/jobs/get', { job_id: jobId });
    expect((whole.body['settings'] as JsonObject)['tasks']).toEqual(manyTasks(150));
    expect(whole.body).not.toHaveProperty('next_page_token');
    const wrongJob = await callApi(url, 'GET', '2.2/jobs/get', {
      job_id: 1,
      page_token: first.body['next_page_token'] as string,
    });
    expect(wrongJob).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
  });

  it('shows 100 tasks per job in jobs/list expand_tasks and says has_more', async () => {
    const jobId = (await callApi(url, 'POST', '2.2/jobs/create', { name: 'wide', tasks: manyTasks(101) }))
      .body['job_id'];
    const [listed] = (await callApi(url, 'GET', '2.2/jobs/list', { name: 'wide', expand_tasks: true })).body[
      'jobs'
    ] as JsonObject[];
    expect(listed).toMatchObject({ job_id: jobId, has_more: true });
    expect(((listed?.['settings'] as JsonObject)['tasks'] as JsonObject[]).length).toBe(100);
    const [small] = (await callApi(url, 'GET', '2.2/jobs/list', { name: 'job-3', expand_tasks: true })).body[
      'jobs'
    ] as JsonObject[];
    expect(small).toMatchObject({ has_more: false, settings: settings('job-3') });
    const [old] = (await callApi(url, 'GET', '2.1/jobs/list', { name: 'wide', expand_tasks: true })).body[
      'jobs'
    ] as JsonObject[];
    expect(((old?.['settings'] as JsonObject)['tasks'] as JsonObject[]).length).toBe(101);
  });
});

describe('jobs/update', () => {
  it.each(['2.1', '2.2'])(
    'under %s replaces top-level fields, merges tasks by task_key and removes fields and entries',
    async (version) => {
      const jobId = (
        await callApi(url, 'POST', '2.1/jobs/create', {
          name: 'partial',
          tasks: manyTasks(3),
          max_concurrent_runs: 1,
          timeout_seconds: 60,
          tags: { a: '1' },
        })
      ).body['job_id'] as number;
      const changedTask = {
        task_key: 't1',
        existing_cluster_id: clusterId,
        notebook_task: { notebook_path: '/x' },
      };
      const newTask = {
        task_key: 'n',
        existing_cluster_id: clusterId,
        notebook_task: { notebook_path: '/y' },
      };
      const updated = await callApi(url, 'POST', `${version}/jobs/update`, {
        job_id: jobId,
        new_settings: { tags: { b: '2' }, tasks: [changedTask, newTask] },
        fields_to_remove: ['timeout_seconds', 'tasks/t2'],
      });
      expect(updated).toMatchObject({ status: 200, body: {} });
      const got = (await callApi(url, 'GET', '2.1/jobs/get', { job_id: jobId })).body['settings'];
      expect(got).toEqual({
        name: 'partial',
        max_concurrent_runs: 1,
        tags: { b: '2' },
        tasks: [manyTasks(1)[0], changedTask, newTask],
      });
    },
  );

  it('refuses an update that leaves the job invalid, and a nested removal, and changes nothing', async () => {
    const jobId = (await callApi(url, 'POST', '2.2/jobs/create', settings('guarded'))).body[
      'job_id'
    ] as number;
    const before = (await callApi(url, 'GET', '2.2/jobs/get', { job_id: jobId })).body;
    const refusals: JsonObject[] = [
      { new_settings: { name: 'x', tasks: [{ task_key: 'b', depends_on: [{ task_key: 'nope' }] }] } },
      { fields_to_remove: ['tasks/main/notebook_task'] },
      { fields_to_remove: 'name' },
    ];
    for (const refusal of refusals) {
      const refused = await callApi(url, 'POST', '2.2/jobs/update', { job_id: jobId, ...refusal });
      expect(refused).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
    }
    expect((await callApi(url, 'GET', '2.2/jobs/get', { job_id: jobId })).body).toEqual(before);
  });
});
