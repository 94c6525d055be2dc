// Unit tests: the client's methods: endpoint, payload, answer and repeat safety of each call (workspaceApi,
// dbfsApi, clustersApi, jobsApi). How a request is sent, retried, redacted and scheduled:
// DatabricksTransport.test.ts.
import { describe, expect, it } from 'vitest';
import {
  DatabricksInvalidRequestError,
  DatabricksNotFoundError,
  DatabricksTransientError,
} from '../../../src/databricks/DatabricksApiError';
import { randomBytes } from 'node:crypto';
import { DatabricksWorkspaceClient } from '../../../src/databricks/DatabricksWorkspaceClient';
import { RequestScheduler } from '../../../src/databricks/RequestScheduler';
import { StaticTokenCredential } from '../../../src/databricks/StaticTokenCredential';
import {
  apiError,
  connectionError,
  json,
  rejectionOf,
  scriptedClient,
  TOKEN,
  WORKSPACE,
} from './scriptedFetch';

describe('DatabricksWorkspaceClient requests', () => {
  it('sends the credential headers, the versioned path under the URL prefix and a JSON body', async () => {
    const { client, requests } = scriptedClient(json(200, {}));
    await client.importWorkspaceObject({
      path: '/Shared/a',
      format: 'SOURCE',
      language: 'PYTHON',
      content: Buffer.from('print(1)'),
      overwrite: true,
    });
    const [request] = requests;
    expect(request?.url.href).toBe('https://emulator.test/api/2.0/workspace/import');
    expect(request?.method).toBe('POST');
    expect(request?.headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
    expect(request?.headers.get('content-type')).toBe('application/json');
    expect(request?.body).toEqual({
      path: '/Shared/a',
      format: 'SOURCE',
      language: 'PYTHON',
      content: Buffer.from('print(1)').toString('base64'),
      overwrite: true,
    });
  });

  it('maps each method to its endpoint and payload', async () => {
    const { client, requests } = scriptedClient((request) => {
      const endpoint = request.url.pathname.replace('/api/', '');
      if (endpoint === '2.0/dbfs/create') return json(200, { handle: 7 });
      if (endpoint === '2.1/clusters/create') return json(200, { cluster_id: 'c-9' });
      if (endpoint === '2.2/jobs/create') return json(200, { job_id: 42 });
      return json(200, {});
    });
    await client.putDbfsFile('dbfs:/a/b', Buffer.from('hi'), { overwrite: true });
    expect(await client.openDbfsStream('dbfs:/a/c', { overwrite: true })).toBe(7);
    await client.addDbfsBlock(7, Buffer.from('abc'));
    await client.closeDbfsStream(7);
    await client.deleteDbfsPath('dbfs:/a', { recursive: true });
    await client.createWorkspaceFolder('/Shared/x');
    await client.deleteWorkspaceObject('/Shared/x', { recursive: true });
    expect(
      await client.createCluster({ cluster_name: 'a', spark_version: 's' }, { idempotencyToken: 't1' }),
    ).toBe('c-9');
    await client.editCluster('c-9', { cluster_name: 'a', spark_version: 's', num_workers: 2 });
    await client.startCluster('c-9');
    await client.terminateCluster('c-9');
    expect(await client.createJob({ name: 'nightly' })).toBe(42);
    await client.resetJob(42, { name: 'nightly', max_concurrent_runs: 1 });
    await client.deleteJob(42);
    expect(requests.map((r) => `${r.method} ${r.url.pathname.replace('/api/', '')}${r.url.search}`)).toEqual([
      'POST 2.0/dbfs/put',
      'POST 2.0/dbfs/create',
      'POST 2.0/dbfs/add-block',
      'POST 2.0/dbfs/close',
      'POST 2.0/dbfs/delete',
      'POST 2.0/workspace/mkdirs',
      'POST 2.0/workspace/delete',
      'POST 2.1/clusters/create',
      'POST 2.1/clusters/edit',
      'POST 2.1/clusters/start',
      'POST 2.1/clusters/delete',
      'POST 2.2/jobs/create',
      'POST 2.2/jobs/reset',
      'POST 2.2/jobs/delete',
    ]);
    expect(requests.map((r) => r.body)).toEqual([
      { path: 'dbfs:/a/b', contents: Buffer.from('hi').toString('base64'), overwrite: true },
      { path: 'dbfs:/a/c', overwrite: true },
      { handle: 7, data: Buffer.from('abc').toString('base64') },
      { handle: 7 },
      { path: 'dbfs:/a', recursive: true },
      { path: '/Shared/x' },
      { path: '/Shared/x', recursive: true },
      { cluster_name: 'a', spark_version: 's', idempotency_token: 't1' },
      { cluster_name: 'a', spark_version: 's', num_workers: 2, cluster_id: 'c-9' },
      { cluster_id: 'c-9' },
      { cluster_id: 'c-9' },
      { name: 'nightly' },
      { job_id: 42, new_settings: { name: 'nightly', max_concurrent_runs: 1 } },
      { job_id: 42 },
    ]);
  });

  it('returns undefined from get-status for a missing path, and the info otherwise', async () => {
    const { client, requests } = scriptedClient([
      apiError(404, 'RESOURCE_DOES_NOT_EXIST', "Path (/x) doesn't exist."),
      json(200, { object_type: 'NOTEBOOK', path: '/y', language: 'PYTHON', object_id: 1 }),
      apiError(404, 'RESOURCE_DOES_NOT_EXIST', 'No file or directory exists on path /x.'),
      json(200, { path: '/z', is_dir: false, file_size: 3 }),
    ]);
    expect(await client.getWorkspaceObjectStatus('/x')).toBeUndefined();
    expect(await client.getWorkspaceObjectStatus('/y')).toMatchObject({
      object_type: 'NOTEBOOK',
      language: 'PYTHON',
    });
    expect(await client.getDbfsStatus('/x')).toBeUndefined();
    expect(await client.getDbfsStatus('/z')).toEqual({ path: '/z', is_dir: false, file_size: 3 });
    expect(requests.map((r) => `${r.method} ${r.url.pathname}${r.url.search}`)).toEqual([
      'GET /api/2.0/workspace/get-status?path=%2Fx',
      'GET /api/2.0/workspace/get-status?path=%2Fy',
      'GET /api/2.0/dbfs/get-status?path=%2Fx',
      'GET /api/2.0/dbfs/get-status?path=%2Fz',
    ]);
  });

  it('lists a folder: an empty folder answers {} -> [], a missing one throws NotFound', async () => {
    const { client } = scriptedClient([
      json(200, {}),
      json(200, { objects: [{ object_type: 'DIRECTORY', path: '/a/b' }] }),
      apiError(404, 'RESOURCE_DOES_NOT_EXIST', "Path (/gone) doesn't exist."),
    ]);
    expect(await client.listWorkspaceFolder('/a')).toEqual([]);
    expect(await client.listWorkspaceFolder('/a')).toEqual([{ object_type: 'DIRECTORY', path: '/a/b' }]);
    await expect(client.listWorkspaceFolder('/gone')).rejects.toBeInstanceOf(DatabricksNotFoundError);
  });

  it('maps the 400 "does not exist" of clusters/get and jobs/delete to NotFound', async () => {
    const { client } = scriptedClient([
      apiError(400, 'INVALID_PARAMETER_VALUE', 'Cluster 0101-x does not exist'),
      apiError(400, 'INVALID_PARAMETER_VALUE', 'Job 5 does not exist.'),
    ]);
    const cluster = await rejectionOf(client.getCluster('0101-x'));
    expect(cluster).toBeInstanceOf(DatabricksNotFoundError);
    expect(cluster.message).toBe(
      'databricks clusters/get: 400 INVALID_PARAMETER_VALUE: Cluster 0101-x does not exist',
    );
    expect(cluster).toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
      statusCode: 400,
      endpoint: 'clusters/get',
    });
    await expect(client.deleteJob(5)).rejects.toBeInstanceOf(DatabricksNotFoundError);
  });

  it('sends a directory import as one JSON body built as bytes: the zip whole in base64, no language, no overwrite', async () => {
    const bodies: unknown[] = [];
    const client = new DatabricksWorkspaceClient(WORKSPACE, new StaticTokenCredential(TOKEN), {
      fetch: ((_url: string, init?: RequestInit) => {
        bodies.push(init?.body);
        return Promise.resolve(json(200, {}));
      }) as typeof fetch,
    });
    // Over several of the steps its base64 is written in, and not a multiple of 3 (the last group is padded).
    const zip = randomBytes(500_001);
    await client.importWorkspaceDirectory('/Shared/p/new', zip);
    const [body] = bodies;
    // Bytes, not strings: the base64 and the JSON around it as strings were two more copies, 10 MB each at most.
    expect(body).toBeInstanceOf(Uint8Array);
    expect(JSON.parse(Buffer.from(body as Uint8Array).toString('utf8'))).toEqual({
      path: '/Shared/p/new',
      format: 'SOURCE',
      content: zip.toString('base64'),
      overwrite: false,
    });
  });

  it('goes through the scheduler it is given and exposes its normalized URL', async () => {
    const scheduler = new RequestScheduler({ maxInFlight: 2 });
    const { client } = scriptedClient(json(200, {}), { scheduler });
    await client.createWorkspaceFolder('/a');
    expect(client.scheduler).toBe(scheduler);
    expect(scheduler.getStats()).toMatchObject({ started: 1 });
    expect(client.workspaceUrl).toBe('https://emulator.test');
  });
});

describe('DatabricksWorkspaceClient local validation', () => {
  it('refuses a put above 1 MiB without a request, pointing at the streaming upload', async () => {
    const { client, requests } = scriptedClient(json(200, {}));
    const error = await rejectionOf(client.putDbfsFile('dbfs:/big', Buffer.alloc(1_048_577)));
    expect(error).toBeInstanceOf(DatabricksInvalidRequestError);
    expect(error.code).toBe('MAX_BLOCK_SIZE_EXCEEDED');
    expect(error.message).toMatch(/^databricks dbfs\/put: .*uploadDbfsFile/);
    expect(requests).toHaveLength(0);
    await client.putDbfsFile('dbfs:/edge', Buffer.alloc(1_048_576));
    expect(requests).toHaveLength(1);
  });

  it.each([
    [
      'an add-block above 1 MiB',
      (c: DatabricksWorkspaceClient) => c.addDbfsBlock(1, Buffer.alloc(1_048_577)),
    ],
    [
      'a SOURCE import without language',
      (c: DatabricksWorkspaceClient) =>
        c.importWorkspaceObject({ path: '/a', format: 'SOURCE', content: Buffer.from('x'), overwrite: true }),
    ],
    [
      'a SOURCE notebook above 10,000,000 characters of base64 (7,500,001 bytes)',
      (c: DatabricksWorkspaceClient) =>
        c.importWorkspaceObject({
          path: '/a',
          format: 'SOURCE',
          language: 'SQL',
          content: Buffer.alloc(7_500_001),
          overwrite: true,
        }),
    ],
    [
      'a directory import above 10,000,000 characters of base64',
      (c: DatabricksWorkspaceClient) => c.importWorkspaceDirectory('/a', Buffer.alloc(7_500_001)),
    ],
    [
      'an idempotency token above 64 chars',
      (c: DatabricksWorkspaceClient) =>
        c.createCluster({ cluster_name: 'a', spark_version: 's' }, { idempotencyToken: 'x'.repeat(65) }),
    ],
  ])('refuses %s locally', async (_name, call) => {
    const { client, requests } = scriptedClient(json(200, {}));
    const error = await rejectionOf(call(client));
    expect(error).toBeInstanceOf(DatabricksInvalidRequestError);
    expect(error.attempts).toBe(0);
    expect(requests).toHaveLength(0);
  });
});

describe('DatabricksWorkspaceClient repeat safety per endpoint', () => {
  // After a lost connection the server may have acted: only calls marked safe to repeat are sent again (the
  // rule itself, with its message and the refusals that are always retried: DatabricksTransport.test.ts).
  it.each([
    ['putDbfsFile', 2, (c: DatabricksWorkspaceClient) => c.putDbfsFile('dbfs:/a', Buffer.from('x'))],
    ['openDbfsStream', 2, (c: DatabricksWorkspaceClient) => c.openDbfsStream('dbfs:/a')],
    ['addDbfsBlock', 1, (c: DatabricksWorkspaceClient) => c.addDbfsBlock(7, Buffer.from('x'))],
    ['closeDbfsStream', 1, (c: DatabricksWorkspaceClient) => c.closeDbfsStream(7)],
    ['deleteDbfsPath', 2, (c: DatabricksWorkspaceClient) => c.deleteDbfsPath('dbfs:/a')],
    ['createWorkspaceFolder', 2, (c: DatabricksWorkspaceClient) => c.createWorkspaceFolder('/a')],
    [
      'importWorkspaceObject',
      2,
      (c: DatabricksWorkspaceClient) =>
        c.importWorkspaceObject({ path: '/a', format: 'AUTO', content: Buffer.from('x'), overwrite: true }),
    ],
    ['deleteWorkspaceObject', 2, (c: DatabricksWorkspaceClient) => c.deleteWorkspaceObject('/a')],
    [
      'editCluster',
      1,
      (c: DatabricksWorkspaceClient) => c.editCluster('c', { cluster_name: 'a', spark_version: 's' }),
    ],
    ['startCluster', 1, (c: DatabricksWorkspaceClient) => c.startCluster('c')],
    ['terminateCluster', 2, (c: DatabricksWorkspaceClient) => c.terminateCluster('c')],
    ['createJob', 1, (c: DatabricksWorkspaceClient) => c.createJob({ name: 'j' })],
    ['resetJob', 2, (c: DatabricksWorkspaceClient) => c.resetJob(1, { name: 'j' })],
    ['deleteJob', 2, (c: DatabricksWorkspaceClient) => c.deleteJob(1)],
  ])('%s after a connection reset: %i request(s)', async (_name, expected, call) => {
    const { client, requests } = scriptedClient([
      connectionError('ECONNRESET'),
      json(200, { handle: 7, cluster_id: 'c', job_id: 1 }),
    ]);
    const outcome = await call(client).then(
      () => 'done',
      (error: unknown) => error,
    );
    expect(requests).toHaveLength(expected);
    if (expected === 1) expect(outcome).toBeInstanceOf(DatabricksTransientError);
    else expect(outcome).toBe('done');
  });

  it('repeats clusters/create only when it carries an idempotency token', async () => {
    const withToken = scriptedClient([connectionError('ECONNRESET'), json(200, { cluster_id: 'c' })]);
    expect(
      await withToken.client.createCluster(
        { cluster_name: 'a', spark_version: 's' },
        { idempotencyToken: 'tok' },
      ),
    ).toBe('c');
    expect(withToken.requests.map((r) => r.body?.idempotency_token)).toEqual(['tok', 'tok']);
    const without = scriptedClient([connectionError('ECONNRESET'), json(200, { cluster_id: 'c' })]);
    await expect(
      without.client.createCluster({ cluster_name: 'a', spark_version: 's' }),
    ).rejects.toBeInstanceOf(DatabricksTransientError);
    expect(without.requests).toHaveLength(1);
  });

  it('refuses an answer without the id a create must return', async () => {
    const { client } = scriptedClient(json(200, {}));
    for (const call of [
      client.createJob({ name: 'j' }),
      client.createCluster({ cluster_name: 'a', spark_version: 's' }),
      client.openDbfsStream('dbfs:/a'),
    ]) {
      const error = await rejectionOf(call);
      expect(error).toBeInstanceOf(DatabricksInvalidRequestError);
      expect(error.code).toBe('INVALID_RESPONSE');
    }
  });
});

describe('DatabricksWorkspaceClient pagination', () => {
  it('follows next_page_token through clusters/list, lazily', async () => {
    const { client, requests } = scriptedClient((request) => {
      const token = request.url.searchParams.get('page_token');
      if (token === null)
        return json(200, { clusters: [{ cluster_id: 'a' }, { cluster_id: 'b' }], next_page_token: 'p2' });
      if (token === 'p2') return json(200, { clusters: [{ cluster_id: 'c' }], next_page_token: 'p3' });
      return json(200, { clusters: [{ cluster_id: 'd' }] });
    });
    const ids: string[] = [];
    for await (const cluster of client.listClusters()) ids.push(cluster.cluster_id);
    expect(ids).toEqual(['a', 'b', 'c', 'd']);
    expect(requests.map((r) => r.url.search)).toEqual([
      '?page_size=100',
      '?page_size=100&page_token=p2',
      '?page_size=100&page_token=p3',
    ]);

    const pages: string[][] = [];
    for await (const page of client.listClusters().byPage({ continuationToken: 'p2' })) {
      pages.push(page.map((c) => c.cluster_id));
    }
    expect(pages).toEqual([['c'], ['d']]);

    requests.length = 0;
    for await (const cluster of client.listClusters()) {
      expect(cluster.cluster_id).toBe('a');
      break;
    }
    expect(requests).toHaveLength(1);
  });

  it('follows has_more through jobs/list with limit, name and expand_tasks', async () => {
    const { client, requests } = scriptedClient((request) => {
      const token = request.url.searchParams.get('page_token');
      if (token === null) {
        return json(200, {
          jobs: [{ job_id: 1, settings: { name: 'n' } }],
          has_more: true,
          next_page_token: 't2',
        });
      }
      return json(200, {
        jobs: [{ job_id: 2, settings: { name: 'n' } }],
        has_more: false,
        next_page_token: 'ignored',
      });
    });
    const jobs = [];
    for await (const job of client.listJobs({ name: 'n', expandTasks: true })) jobs.push(job.job_id);
    expect(jobs).toEqual([1, 2]);
    expect(requests.map((r) => r.url.search)).toEqual([
      '?limit=100&expand_tasks=true&name=n',
      '?limit=100&page_token=t2&expand_tasks=true&name=n',
    ]);
  });

  it('reads a large job whole: every jobs/get 2.2 page, the paged arrays joined in order', async () => {
    const tasks = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, i) => ({ task_key: `t${from + i}` }));
    const { client, requests } = scriptedClient((request) => {
      const token = request.url.searchParams.get('page_token');
      if (token === null) {
        return json(200, {
          job_id: 7,
          settings: { name: 'big', tasks: tasks(0, 100), job_clusters: [{ job_cluster_key: 'a' }] },
          next_page_token: 'p2',
        });
      }
      return json(200, {
        job_id: 7,
        settings: { name: 'big', tasks: tasks(100, 150), job_clusters: [], parameters: [{ name: 'p' }] },
      });
    });
    expect(await client.getJob(7)).toEqual({
      job_id: 7,
      settings: {
        name: 'big',
        tasks: tasks(0, 150),
        job_clusters: [{ job_cluster_key: 'a' }],
        parameters: [{ name: 'p' }],
      },
    });
    expect(requests.map((r) => `${r.method} ${r.url.pathname.replace('/api/', '')}${r.url.search}`)).toEqual([
      'GET 2.2/jobs/get?job_id=7',
      'GET 2.2/jobs/get?job_id=7&page_token=p2',
    ]);
  });

  it('stops with an error when the server repeats a page token', async () => {
    const { client } = scriptedClient(json(200, { jobs: [], has_more: true, next_page_token: 'same' }));
    const iterate = async () => {
      for await (const _job of client.listJobs()) {
        // drain
      }
    };
    await expect(iterate()).rejects.toThrow(/same page token twice/);
    const repeating = scriptedClient(json(200, { job_id: 1, settings: {}, next_page_token: 'same' }));
    await expect(repeating.client.getJob(1)).rejects.toThrow(/same page token twice/);
  });
});
