// Test infrastructure: the emulator's server-wide behaviour over HTTPS: auth, routing, rate limits,
// fault injection, latency, counters, snapshots and persistence.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { callApi } from './callApi';
import { DatabricksEmulator } from './DatabricksEmulator';
import type { JsonObject } from './JsonValue';

let emulator: DatabricksEmulator;
let dev: string;

const cluster: JsonObject = {
  cluster_name: 'Small',
  spark_version: '15.4.x-scala2.12',
  node_type_id: 'Standard_DS3_v2',
};

beforeAll(async () => {
  emulator = await DatabricksEmulator.start({ rateLimits: false });
  await emulator.addWorkspace('dev');
  await emulator.addWorkspace('prod', { tokens: ['prod-token'] });
  dev = emulator.workspaceUrl('dev');
});
afterAll(() => emulator.stop());
afterEach(() => {
  emulator.clearFaults();
  emulator.setLatency(0);
  emulator.setTokenValidator(undefined);
});

/** A status code, or 'reset' when the connection died without an answer. */
async function outcome(call: Promise<{ status: number }>): Promise<number | 'reset'> {
  try {
    return (await call).status;
  } catch {
    return 'reset';
  }
}

describe('auth and routing', () => {
  it('checks the bearer token per workspace', async () => {
    const list = (url: string, token?: string) => callApi(url, 'GET', '2.1/clusters/list', {}, token);
    expect((await list(dev)).status).toBe(200);
    const none = await fetch(`${dev}/api/2.1/clusters/list`);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error_code: 'UNAUTHENTICATED' });
    expect((await list(emulator.workspaceUrl('prod'), 'prod-token')).status).toBe(200);
  });

  it('answers a wrong token 403 "Invalid access token." as the service does (databricks-sdk-go #873, #917)', async () => {
    const list = (url: string, token?: string) => callApi(url, 'GET', '2.1/clusters/list', {}, token);
    const invalid = { status: 403, body: { error_code: 403, message: 'Invalid access token.' } };
    expect(await list(dev, 'wrong')).toMatchObject(invalid);
    // dev's token is not prod's.
    expect(await list(emulator.workspaceUrl('prod'))).toMatchObject(invalid);
  });

  it('serves each workspace at its own origin with the real /api/ paths', async () => {
    const prod = emulator.workspaceUrl('prod');
    expect(dev).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(prod).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(prod).not.toBe(dev);
    const response = await fetch(`${prod}/api/2.0/dbfs/put`, {
      method: 'POST',
      headers: { authorization: 'Bearer prod-token' },
      body: JSON.stringify({ path: '/only-prod', contents: '' }),
    });
    expect(response.status).toBe(200);
    expect(emulator.workspace('prod').readDbfs('/only-prod')).toBeDefined();
    expect(emulator.workspace('dev').readDbfs('/only-prod')).toBeUndefined();
    // Adding a workspace that exists keeps its origin.
    await emulator.addWorkspace('dev', { tokens: ['second-dev-token'] });
    expect(emulator.workspaceUrl('dev')).toBe(dev);
    expect((await callApi(dev, 'GET', '2.1/clusters/list', {}, 'second-dev-token')).status).toBe(200);
  });

  it('delegates to a pluggable token validator', async () => {
    emulator.setTokenValidator((token, workspace) => token === `jwt-for-${workspace}`);
    expect((await callApi(dev, 'GET', '2.1/clusters/list', {}, 'jwt-for-dev')).status).toBe(200);
    expect((await callApi(dev, 'GET', '2.1/clusters/list', {}, DatabricksEmulator.defaultToken)).status).toBe(
      403,
    );
  });

  it('answers unknown endpoints, wrong methods and malformed JSON', async () => {
    expect(await callApi(dev, 'GET', '2.0/nothing/here')).toMatchObject({
      status: 404,
      body: { error_code: 'ENDPOINT_NOT_FOUND' },
    });
    // The old shared-port shape is no path of a real workspace.
    expect(await callApi(`${dev}/ws/dev`, 'GET', '2.1/clusters/list')).toMatchObject({
      status: 404,
      body: { error_code: 'ENDPOINT_NOT_FOUND' },
    });
    const wrongMethod = await callApi(dev, 'GET', '2.1/clusters/create');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    const malformed = await fetch(`${dev}/api/2.0/workspace/mkdirs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${DatabricksEmulator.defaultToken}` },
      body: '{"path": ',
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error_code: 'MALFORMED_REQUEST' });
  });

  it('keeps workspaces apart', async () => {
    await callApi(dev, 'POST', '2.0/dbfs/put', { path: '/only-dev', contents: '' });
    expect(emulator.workspace('dev').readDbfs('/only-dev')).toBeDefined();
    expect(emulator.workspace('prod').readDbfs('/only-dev')).toBeUndefined();
  });
});

describe('rate limits', () => {
  it('answers 429 with a decimal Retry-After after the bucket empties, and lets a retry through after it', async () => {
    const limited = await DatabricksEmulator.start({ rateLimits: { workspaceImport: 5 } });
    try {
      await limited.addWorkspace('w');
      const url = limited.workspaceUrl('w');
      const payload = { path: '/Shared/n', format: 'SOURCE', language: 'SQL', content: '', overwrite: true };
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => callApi(url, 'POST', '2.0/workspace/import', payload)),
      );
      const throttled = answers.filter((answer) => answer.status === 429);
      expect(20 - throttled.length).toBeGreaterThanOrEqual(5);
      expect(20 - throttled.length).toBeLessThanOrEqual(7);
      expect(throttled[0]?.body).toMatchObject({ error_code: 'REQUEST_LIMIT_EXCEEDED' });
      const waits = throttled.map((answer) => Number(answer.headers.get('retry-after')));
      expect(waits.every((wait) => wait > 0 && wait <= 0.2)).toBe(true);
      const counters = limited.counters('w');
      expect(counters.throttled).toBe(throttled.length);
      expect(counters.byEndpoint['2.0/workspace/import']).toBe(20);
      // Other endpoints have their own buckets.
      expect((await callApi(url, 'GET', '2.0/workspace/get-status', { path: '/Shared/n' })).status).toBe(200);
      const refused = await callApi(url, 'POST', '2.0/workspace/import', payload);
      expect(refused.status).toBe(429);
      await sleep(Number(refused.headers.get('retry-after')) * 1000);
      expect((await callApi(url, 'POST', '2.0/workspace/import', payload)).status).toBe(200);
    } finally {
      await limited.stop();
    }
  });

  it('shares one bucket between all dbfs endpoints and can be switched off', async () => {
    const limited = await DatabricksEmulator.start({ rateLimits: { dbfs: 3 } });
    try {
      await limited.addWorkspace('w');
      const url = limited.workspaceUrl('w');
      const statuses = [
        (await callApi(url, 'POST', '2.0/dbfs/mkdirs', { path: '/a' })).status,
        (await callApi(url, 'POST', '2.0/dbfs/put', { path: '/a/b', contents: '' })).status,
        (await callApi(url, 'GET', '2.0/dbfs/get-status', { path: '/a/b' })).status,
        (await callApi(url, 'POST', '2.0/dbfs/delete', { path: '/a', recursive: true })).status,
      ];
      expect(statuses).toEqual([200, 200, 200, 429]);
      limited.setRateLimits(false);
      const many = await Promise.all(
        Array.from({ length: 10 }, () => callApi(url, 'POST', '2.0/dbfs/mkdirs', { path: '/x' })),
      );
      expect(many.every((answer) => answer.status === 200)).toBe(true);
    } finally {
      await limited.stop();
    }
  });
});

describe('fault injection', () => {
  async function run(seed: number): Promise<(number | 'reset')[]> {
    emulator.faults({
      seed,
      errorRate5xx: 0.2,
      rate429: 0.2,
      resetRate: 0.2,
      endpoints: ['2.0/workspace/*'],
    });
    const outcomes: (number | 'reset')[] = [];
    for (let i = 0; i < 25; i++) {
      outcomes.push(await outcome(callApi(dev, 'GET', '2.0/workspace/get-status', { path: '/Shared' })));
    }
    return outcomes;
  }

  it('replays the same faults for the same seed', async () => {
    const first = await run(7);
    expect(await run(7)).toEqual(first);
    expect(await run(8)).not.toEqual(first);
    expect(new Set(first)).toEqual(new Set([200, 500, 503, 429, 'reset']));
  });

  it('limits faults to the named endpoints and answers 429s with Retry-After', async () => {
    emulator.faults({ rate429: 1, retryAfterSeconds: 0.25, endpoints: ['2.1/jobs/list'] });
    const throttled = await callApi(dev, 'GET', '2.1/jobs/list');
    expect(throttled).toMatchObject({ status: 429, body: { error_code: 'REQUEST_LIMIT_EXCEEDED' } });
    expect(throttled.headers.get('retry-after')).toBe('0.25');
    expect((await callApi(dev, 'GET', '2.1/clusters/list')).status).toBe(200);
  });

  it('decides 5xx before applying anything', async () => {
    emulator.faults({ errorRate5xx: 1, endpoints: ['2.0/workspace/mkdirs'] });
    expect([500, 503]).toContain(
      (await callApi(dev, 'POST', '2.0/workspace/mkdirs', { path: '/Shared/never' })).status,
    );
    expect(emulator.workspace('dev').getObject('/Shared/never')).toBeUndefined();
  });

  it('resets some connections after applying, where only an idempotency token prevents a duplicate', async () => {
    emulator.faults({ sequence: ['reset-after', 'reset-before'], endpoints: ['2.1/clusters/create'] });
    const body = { ...cluster, cluster_name: 'Retried', idempotency_token: 'deploy-1:clusters.Retried' };
    expect(await outcome(callApi(dev, 'POST', '2.1/clusters/create', body))).toBe('reset');
    const applied = emulator
      .workspace('dev')
      .listClusters()
      .filter((c) => c['cluster_name'] === 'Retried');
    expect(applied).toHaveLength(1);
    expect(await outcome(callApi(dev, 'POST', '2.1/clusters/create', body))).toBe('reset');
    const retried = await callApi(dev, 'POST', '2.1/clusters/create', body);
    expect(retried.body['cluster_id']).toBe(applied[0]?.['cluster_id']);
    expect(emulator.snapshot('dev').clusters.filter((c) => c.cluster_name === 'Retried')).toHaveLength(1);
  });
});

describe('latency and counters', () => {
  it('counts every request once, writes only when applied, and peak concurrency', async () => {
    emulator.resetCounters();
    await callApi(dev, 'POST', '2.0/workspace/mkdirs', { path: '/Shared/counted' });
    await callApi(dev, 'GET', '2.0/workspace/get-status', { path: '/Shared/counted' });
    await callApi(dev, 'POST', '2.0/workspace/delete', { path: '/Shared/missing' });
    await callApi(dev, 'GET', '2.1/clusters/list', {}, 'bad-token');
    emulator.setLatency(50);
    const started = Date.now();
    await Promise.all(Array.from({ length: 5 }, () => callApi(dev, 'GET', '2.1/jobs/list')));
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
    expect(emulator.counters('dev')).toEqual({
      total: 9,
      writes: 1,
      byEndpoint: {
        '2.0/workspace/mkdirs': 1,
        '2.0/workspace/get-status': 1,
        '2.0/workspace/delete': 1,
        '2.1/clusters/list': 1,
        '2.1/jobs/list': 5,
      },
      throttled: 0,
      faults: 0,
      maxInFlight: 5,
    });
    expect(emulator.counters().total).toBe(9);
    emulator.resetCounters();
    expect(emulator.counters('dev')).toMatchObject({ total: 0, writes: 0, byEndpoint: {}, maxInFlight: 0 });
  });

  it('counts injected faults and resets', async () => {
    emulator.resetCounters();
    emulator.faults({ sequence: ['503', 'reset-after', 'none'], endpoints: ['2.0/dbfs/mkdirs'] });
    for (let i = 0; i < 3; i++) await outcome(callApi(dev, 'POST', '2.0/dbfs/mkdirs', { path: '/counted' }));
    expect(emulator.counters('dev')).toMatchObject({ total: 3, faults: 2, writes: 2 });
  });
});

describe('snapshot and persistence', () => {
  it('exports hashes, clusters and jobs, and survives a save and a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bricklane-world-'));
    try {
      const first = await DatabricksEmulator.start({ rateLimits: false, stateDir: dir });
      const workspace = await first.addWorkspace('qa');
      const url = first.workspaceUrl('qa');
      await callApi(url, 'POST', '2.0/workspace/import', {
        path: '/Shared/n.ipynb',
        format: 'JUPYTER',
        content: Buffer.from('{"cells":[]}').toString('base64'),
      });
      await callApi(url, 'POST', '2.0/workspace/import', {
        path: '/Shared/lib.py',
        format: 'AUTO',
        content: 'YWJj',
      });
      await callApi(url, 'POST', '2.0/dbfs/put', { path: '/init/setup.sh', contents: 'YWJj' });
      const clusterId = workspace.createCluster(cluster);
      workspace.createJob({ name: 'nightly', tasks: [{ task_key: 'main', existing_cluster_id: clusterId }] });
      const abcHash = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
      const snapshot = first.snapshot('qa');
      expect(snapshot).toMatchObject({
        notebooks: { '/Shared/n': { language: 'PYTHON' } },
        workspaceFiles: { '/Shared/lib.py': abcHash },
        dbfs: { 'dbfs:/init/setup.sh': abcHash },
        clusters: [{ cluster_id: clusterId, cluster_name: 'Small', state: 'RUNNING', spec: cluster }],
        jobs: [{ settings: { name: 'nightly' } }],
      });
      await first.stop();

      const second = await DatabricksEmulator.start({ rateLimits: false, stateDir: dir });
      expect(second.workspaceNames()).toEqual(['qa']);
      // Its origin is where the ARM state and the ledger saw it.
      expect(second.workspaceUrl('qa')).toBe(url);
      expect(second.snapshot('qa')).toEqual(snapshot);
      const newId = second.workspace('qa').createCluster(cluster);
      expect(newId).not.toBe(clusterId);
      const status = await callApi(second.workspaceUrl('qa'), 'GET', '2.0/workspace/get-status', {
        path: '/Shared/lib.py',
      });
      expect(status.body).toMatchObject({ object_type: 'FILE', size: 3 });
      await second.stop();

      const third = await DatabricksEmulator.start({ rateLimits: false });
      expect(await third.loadFrom(dir)).toBe(true);
      expect(third.snapshot('qa').clusters.map((c) => c.cluster_id)).toEqual([clusterId, newId]);
      expect(third.workspaceUrl('qa')).toBe(url);
      // While third holds qa's port, another restart says so instead of moving qa elsewhere.
      await expect(DatabricksEmulator.start({ rateLimits: false, stateDir: dir })).rejects.toThrow(
        `Emulated workspace qa was saved at ${url}, and that port cannot be bound now`,
      );
      await third.stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
