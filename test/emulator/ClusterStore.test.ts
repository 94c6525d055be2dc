// Test infrastructure: the emulator's cluster rules (state machine, edit states, idempotency) over HTTPS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi } from './callApi';
import { DatabricksEmulator } from './DatabricksEmulator';
import type { JsonObject } from './JsonValue';

let emulator: DatabricksEmulator;
let url: string;

// Transitions take 1 s of emulator time; tests step the clock instead of waiting.
const transition = 1000;
const spec: JsonObject = {
  cluster_name: 'Small',
  spark_version: '15.4.x-scala2.12',
  node_type_id: 'Standard_DS3_v2',
  num_workers: 2,
  spark_conf: { 'spark.speculation': 'true' },
  custom_tags: { team: 'data' },
  autotermination_minutes: 30,
};

beforeAll(async () => {
  emulator = await DatabricksEmulator.start({ rateLimits: false, clusterTransitionInMs: transition });
  await emulator.addWorkspace('dev');
  url = emulator.workspaceUrl('dev');
});
afterAll(() => emulator.stop());

async function create(body: JsonObject = spec): Promise<string> {
  const created = await callApi(url, 'POST', '2.1/clusters/create', body);
  expect(created.status).toBe(200);
  return String(created.body['cluster_id']);
}

async function stateOf(clusterId: string): Promise<unknown> {
  return (await callApi(url, 'GET', '2.1/clusters/get', { cluster_id: clusterId })).body['state'];
}

describe('clusters/create', () => {
  it('stores exactly the fields sent and starts PENDING, then RUNNING', async () => {
    const clusterId = await create({ ...spec, idempotency_token: 'spec-check' });
    const info = await callApi(url, 'GET', '2.1/clusters/get', { cluster_id: clusterId });
    expect(info.body).toMatchObject({ ...spec, cluster_id: clusterId, state: 'PENDING' });
    expect(info.body).toHaveProperty('creator_user_name');
    expect(info.body).toHaveProperty('start_time');
    expect(info.body['default_tags']).toMatchObject({ ClusterName: 'Small', ClusterId: clusterId });
    expect(emulator.snapshot('dev').clusters.find((c) => c.cluster_id === clusterId)?.spec).toEqual(spec);
    emulator.clock.advance(transition);
    expect(await stateOf(clusterId)).toBe('RUNNING');
  });

  it.each([
    ['cluster_name', { ...spec, cluster_name: undefined }],
    ['spark_version', { ...spec, spark_version: undefined }],
    ['node_type_id', { ...spec, node_type_id: undefined }],
  ])('requires %s', async (field, body) => {
    const created = await callApi(
      url,
      'POST',
      '2.1/clusters/create',
      JSON.parse(JSON.stringify(body)) as JsonObject,
    );
    expect(created).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
    expect(created.body['message']).toContain(field);
  });

  it('accepts workspace and volumes init script destinations and refuses ones their storage type cannot hold', async () => {
    const withScripts = (init_scripts: JsonObject[]): JsonObject => ({ ...spec, init_scripts });
    await create(
      withScripts([
        { workspace: { destination: '/Shared/proj/init-scripts/setup.sh' } },
        { volumes: { destination: '/Volumes/main/ops/scripts/setup.sh' } },
      ]),
    );
    const refusals: JsonObject[] = [
      { volumes: { destination: '/Shared/setup.sh' } },
      { workspace: { destination: 'init-scripts/setup.sh' } },
      { workspace: { destination: '/a.sh' }, volumes: { destination: '/Volumes/a/b/c/a.sh' } },
      { ftp: { destination: 'ftp://host/a.sh' } },
    ];
    for (const bad of refusals) {
      const refused = await callApi(url, 'POST', '2.1/clusters/create', withScripts([bad]));
      expect(refused.body['error_code'], JSON.stringify(bad)).toBe('INVALID_PARAMETER_VALUE');
    }
  });

  it('accepts an instance pool instead of a node type', async () => {
    const { node_type_id: _nodeType, ...pooled } = spec;
    expect(await create({ ...pooled, instance_pool_id: 'pool-1' })).toMatch(/^\d{4}-\d{6}-\w{8}$/);
  });

  it('creates one cluster per idempotency_token, until it is permanently deleted', async () => {
    const first = await create({ ...spec, cluster_name: 'Idem', idempotency_token: 'tok-1' });
    const second = await create({ ...spec, cluster_name: 'Idem', idempotency_token: 'tok-1' });
    expect(second).toBe(first);
    const named = emulator
      .workspace('dev')
      .listClusters()
      .filter((c) => c['cluster_name'] === 'Idem');
    expect(named).toHaveLength(1);
    expect((await callApi(url, 'POST', '2.1/clusters/permanent-delete', { cluster_id: first })).status).toBe(
      200,
    );
    expect(await create({ ...spec, cluster_name: 'Idem', idempotency_token: 'tok-1' })).not.toBe(first);
    const tooLong = await callApi(url, 'POST', '2.1/clusters/create', {
      ...spec,
      idempotency_token: 'x'.repeat(65),
    });
    expect(tooLong).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
  });
});

describe('cluster states', () => {
  it('edits only in RUNNING (restarting) or TERMINATED (staying terminated)', async () => {
    const clusterId = await create();
    const edited = { ...spec, cluster_id: clusterId, num_workers: 4 };
    const whilePending = await callApi(url, 'POST', '2.1/clusters/edit', edited);
    expect(whilePending).toMatchObject({ status: 400, body: { error_code: 'INVALID_STATE' } });

    emulator.clock.advance(transition);
    expect((await callApi(url, 'POST', '2.1/clusters/edit', edited)).status).toBe(200);
    expect(await stateOf(clusterId)).toBe('RESTARTING');
    const whileRestarting = await callApi(url, 'POST', '2.1/clusters/edit', edited);
    expect(whileRestarting).toMatchObject({ status: 400, body: { error_code: 'INVALID_STATE' } });
    emulator.clock.advance(transition);
    expect(await stateOf(clusterId)).toBe('RUNNING');
    expect(emulator.workspace('dev').getCluster(clusterId)).toMatchObject({ num_workers: 4 });

    expect((await callApi(url, 'POST', '2.1/clusters/delete', { cluster_id: clusterId })).status).toBe(200);
    expect(await stateOf(clusterId)).toBe('TERMINATING');
    const whileTerminating = await callApi(url, 'POST', '2.1/clusters/edit', edited);
    expect(whileTerminating).toMatchObject({ status: 400, body: { error_code: 'INVALID_STATE' } });
    emulator.clock.advance(transition);
    expect(await stateOf(clusterId)).toBe('TERMINATED');
    expect((await callApi(url, 'POST', '2.1/clusters/edit', { ...edited, num_workers: 1 })).status).toBe(200);
    emulator.clock.advance(transition);
    expect(await stateOf(clusterId)).toBe('TERMINATED');
    expect(emulator.snapshot('dev').clusters.find((c) => c.cluster_id === clusterId)?.spec).toEqual({
      ...spec,
      num_workers: 1,
    });
  });

  it('starts only a TERMINATED cluster; deleting a terminated one is a no-op', async () => {
    const clusterId = emulator.workspace('dev').createCluster(spec);
    const running = await callApi(url, 'POST', '2.1/clusters/start', { cluster_id: clusterId });
    expect(running).toMatchObject({ status: 400, body: { error_code: 'INVALID_STATE' } });
    emulator.workspace('dev').setClusterState(clusterId, 'TERMINATED');
    expect(await callApi(url, 'POST', '2.1/clusters/delete', { cluster_id: clusterId })).toMatchObject({
      status: 200,
    });
    expect(await stateOf(clusterId)).toBe('TERMINATED');
    expect((await callApi(url, 'POST', '2.1/clusters/start', { cluster_id: clusterId })).status).toBe(200);
    expect(await stateOf(clusterId)).toBe('PENDING');
    emulator.clock.advance(transition);
    expect(await stateOf(clusterId)).toBe('RUNNING');
  });

  it('answers an unknown cluster with 400 INVALID_PARAMETER_VALUE', async () => {
    const missing = await callApi(url, 'GET', '2.1/clusters/get', { cluster_id: '0000-000000-nothere0' });
    expect(missing).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
    expect(missing.body['message']).toContain('does not exist');
  });
});

describe('clusters/list', () => {
  it('pages through every cluster once', async () => {
    const emulator2 = await DatabricksEmulator.start({ rateLimits: false });
    try {
      const workspace = await emulator2.addWorkspace('paged');
      const ids = Array.from({ length: 25 }, (_, i) =>
        workspace.createCluster({ ...spec, cluster_name: `c${i}` }),
      );
      const empty = await emulator2.addWorkspace('empty');
      expect((await callApi(emulator2.workspaceUrl('empty'), 'GET', '2.1/clusters/list')).body).toEqual({});
      expect(empty.listClusters()).toEqual([]);
      const seen: unknown[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const query: JsonObject = { page_size: 10, ...(token ? { page_token: token } : {}) };
        const page = await callApi(emulator2.workspaceUrl('paged'), 'GET', '2.1/clusters/list', query);
        seen.push(...(page.body['clusters'] as JsonObject[]).map((cluster) => cluster['cluster_id']));
        token = page.body['next_page_token'] as string | undefined;
        pages += 1;
      } while (token);
      expect(pages).toBe(3);
      expect(seen).toEqual(ids);
    } finally {
      await emulator2.stop();
    }
  });
});

describe('clusters/list filter_by', () => {
  it('narrows by cluster_states, cluster_sources, policy_id and is_pinned before paging', async () => {
    const emulator2 = await DatabricksEmulator.start({ rateLimits: false });
    try {
      const workspace = await emulator2.addWorkspace('filtered');
      const running = workspace.createCluster({ ...spec, cluster_name: 'r', policy_id: 'P1' });
      const stopped = workspace.createCluster({ ...spec, cluster_name: 't' }, 'TERMINATED');
      const job = workspace.createCluster({ ...spec, cluster_name: 'j', cluster_source: 'JOB' });
      const list = async (query: JsonObject): Promise<unknown[]> => {
        const page = await callApi(emulator2.workspaceUrl('filtered'), 'GET', '2.1/clusters/list', query);
        expect(page.status).toBe(200);
        return ((page.body['clusters'] as JsonObject[] | undefined) ?? []).map((c) => c['cluster_id']);
      };
      expect(await list({})).toEqual([running, stopped, job]);
      expect(await list({ 'filter_by.cluster_states': ['TERMINATED'] })).toEqual([stopped]);
      expect(await list({ 'filter_by.cluster_states': ['RUNNING', 'TERMINATED'] })).toEqual([
        running,
        stopped,
        job,
      ]);
      expect(await list({ 'filter_by.cluster_sources': ['JOB'] })).toEqual([job]);
      expect(await list({ 'filter_by.cluster_sources': ['API', 'UI'] })).toEqual([running, stopped]);
      expect(await list({ 'filter_by.policy_id': 'P1' })).toEqual([running]);
      expect(await list({ 'filter_by.is_pinned': true })).toEqual([]);
      expect(await list({ 'filter_by.is_pinned': false, page_size: 1 })).toEqual([running]);
    } finally {
      await emulator2.stop();
    }
  });
});

describe('runtimes and node types', () => {
  it('serves spark-versions and list-node-types (2.1 and 2.0) holding what the fixtures use', async () => {
    for (const version of ['2.0', '2.1']) {
      const versions = await callApi(url, 'GET', `${version}/clusters/spark-versions`);
      expect(versions.status).toBe(200);
      const keys = (versions.body['versions'] as JsonObject[]).map((v) => v['key']);
      expect(keys).toEqual(expect.arrayContaining(['15.4.x-scala2.12', '15.4.x-cpu-ml-scala2.12']));
      const types = await callApi(url, 'GET', `${version}/clusters/list-node-types`);
      const ids = (types.body['node_types'] as JsonObject[]).map((t) => t['node_type_id']);
      expect(ids).toEqual(expect.arrayContaining(['Standard_DS3_v2', 'Standard_DS4_v2', 'Standard_E64_v3']));
    }
  });

  it('refuses an unknown spark_version or node type on create and edit with INVALID_PARAMETER_VALUE', async () => {
    const badVersion = await callApi(url, 'POST', '2.1/clusters/create', {
      ...spec,
      spark_version: '99.9.x-scala9',
    });
    expect(badVersion).toMatchObject({
      status: 400,
      body: { error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid spark version 99.9.x-scala9.' },
    });
    const badNode = await callApi(url, 'POST', '2.1/clusters/create', {
      ...spec,
      node_type_id: 'Standard_Nope',
    });
    expect(badNode).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
    expect(badNode.body['message']).toMatch(
      /^Node type Standard_Nope is not supported\. Supported node types: .*Standard_DS3_v2/,
    );
    const badDriver = await callApi(url, 'POST', '2.1/clusters/create', {
      ...spec,
      driver_node_type_id: 'Standard_Nope',
    });
    expect(badDriver.status).toBe(400);
    const clusterId = await create({ ...spec, cluster_name: 'catalog' });
    emulator.clock.advance(transition);
    const edit = await callApi(url, 'POST', '2.1/clusters/edit', {
      ...spec,
      cluster_id: clusterId,
      spark_version: '99.9.x-scala9',
    });
    expect(edit).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
    expect((await callApi(url, 'GET', '2.1/clusters/get', { cluster_id: clusterId })).body).toMatchObject({
      spark_version: '15.4.x-scala2.12',
      state: 'RUNNING',
    });
  });
});
