import { describe, expect, it } from 'vitest';
import {
  DatabricksAlreadyExistsError,
  DatabricksApiError,
  DatabricksInvalidRequestError,
  DatabricksNotFoundError,
  DatabricksThrottledError,
  DatabricksTransientError,
  DatabricksUnauthenticatedError,
} from '../../../src/databricks/DatabricksApiError';
import type {
  DatabricksClientOptions,
  DatabricksRequestInfo,
} from '../../../src/databricks/DatabricksClientOptions';
import type { DatabricksCredential } from '../../../src/databricks/DatabricksCredential';
import { DatabricksWorkspaceClient } from '../../../src/databricks/DatabricksWorkspaceClient';
import { RequestScheduler, type ScheduleOptions } from '../../../src/databricks/RequestScheduler';
import { StaticTokenCredential } from '../../../src/databricks/StaticTokenCredential';
import { apiError, connectionError, hang, json, scriptedFetch, type ScriptStep } from './scriptedFetch';

const TOKEN = 'dapi0123456789abcdef0123456789abcdef';
const WORKSPACE = 'https://emulator.test/ws/dev/';

function clientFor(script: ScriptStep[] | ScriptStep, options: DatabricksClientOptions = {}) {
  const fake = scriptedFetch(script);
  const client = new DatabricksWorkspaceClient(WORKSPACE, new StaticTokenCredential(TOKEN), {
    fetch: fake.fetch,
    retry: { baseDelayInMs: 1, maxDelayInMs: 5 },
    ...options,
  });
  return { client, requests: fake.requests };
}

async function rejectionOf(promise: Promise<unknown>): Promise<DatabricksApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DatabricksApiError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('DatabricksWorkspaceClient requests', () => {
  it('sends the credential headers, the versioned path under the URL prefix and a JSON body', async () => {
    const { client, requests } = clientFor(json(200, {}));
    await client.workspaceImport({
      path: '/Shared/a',
      format: 'SOURCE',
      language: 'PYTHON',
      content: Buffer.from('print(1)'),
      overwrite: true,
    });
    const [request] = requests;
    expect(request?.url.href).toBe('https://emulator.test/ws/dev/api/2.0/workspace/import');
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

  it('sends every header a credential returns, fetched again for each attempt', async () => {
    let calls = 0;
    const credential: DatabricksCredential = {
      getHeaders: async () => {
        calls++;
        return {
          Authorization: `Bearer aad-token-${calls}`,
          'X-Databricks-Azure-SP-Management-Token': 'arm-token',
          'X-Databricks-Azure-Workspace-Resource-Id':
            '/subscriptions/s/resourceGroups/r/providers/x/workspaces/w',
        };
      },
    };
    const fake = scriptedFetch([
      apiError(503, 'TEMPORARILY_UNAVAILABLE', 'busy'),
      json(200, { cluster_id: 'c-1' }),
    ]);
    const client = new DatabricksWorkspaceClient(WORKSPACE, credential, {
      fetch: fake.fetch,
      retry: { baseDelayInMs: 1 },
    });
    await client.getCluster('c-1');
    expect(fake.requests.map((r) => r.headers.get('authorization'))).toEqual([
      'Bearer aad-token-1',
      'Bearer aad-token-2',
    ]);
    expect(fake.requests[1]?.headers.get('x-databricks-azure-sp-management-token')).toBe('arm-token');
    expect(fake.requests[1]?.url.search).toBe('?cluster_id=c-1');
  });

  it('maps each method to its endpoint and payload', async () => {
    const { client, requests } = clientFor((request) => {
      const endpoint = request.url.pathname.replace('/ws/dev/api/', '');
      if (endpoint === '2.0/dbfs/create') return json(200, { handle: 7 });
      if (endpoint === '2.1/clusters/create') return json(200, { cluster_id: 'c-9' });
      if (endpoint === '2.1/jobs/create') return json(200, { job_id: 42 });
      if (endpoint === '2.0/workspace/export')
        return json(200, { content: Buffer.from('x = 1').toString('base64') });
      return json(200, {});
    });
    await client.dbfsMkdirs('dbfs:/a');
    await client.dbfsPut('dbfs:/a/b', Buffer.from('hi'), { overwrite: true });
    expect(await client.dbfsCreate('dbfs:/a/c', { overwrite: true })).toBe(7);
    await client.dbfsAddBlock(7, Buffer.from('abc'));
    await client.dbfsClose(7);
    await client.dbfsDelete('dbfs:/a', { recursive: true });
    await client.workspaceMkdirs('/Shared/x');
    await client.workspaceDelete('/Shared/x', { recursive: true });
    expect((await client.workspaceExport('/Shared/n')).toString()).toBe('x = 1');
    expect(
      await client.createCluster({ cluster_name: 'a', spark_version: 's' }, { idempotencyToken: 't1' }),
    ).toBe('c-9');
    await client.editCluster('c-9', { cluster_name: 'a', spark_version: 's', num_workers: 2 });
    await client.startCluster('c-9');
    await client.deleteCluster('c-9');
    expect(await client.createJob({ name: 'nightly' })).toBe(42);
    await client.resetJob(42, { name: 'nightly', max_concurrent_runs: 1 });
    await client.deleteJob(42);
    expect(
      requests.map((r) => `${r.method} ${r.url.pathname.replace('/ws/dev/api/', '')}${r.url.search}`),
    ).toEqual([
      'POST 2.0/dbfs/mkdirs',
      'POST 2.0/dbfs/put',
      'POST 2.0/dbfs/create',
      'POST 2.0/dbfs/add-block',
      'POST 2.0/dbfs/close',
      'POST 2.0/dbfs/delete',
      'POST 2.0/workspace/mkdirs',
      'POST 2.0/workspace/delete',
      'GET 2.0/workspace/export?path=%2FShared%2Fn&format=SOURCE',
      'POST 2.1/clusters/create',
      'POST 2.1/clusters/edit',
      'POST 2.1/clusters/start',
      'POST 2.1/clusters/delete',
      'POST 2.1/jobs/create',
      'POST 2.1/jobs/reset',
      'POST 2.1/jobs/delete',
    ]);
    expect(requests.map((r) => r.body)).toEqual([
      { path: 'dbfs:/a' },
      { path: 'dbfs:/a/b', contents: Buffer.from('hi').toString('base64'), overwrite: true },
      { path: 'dbfs:/a/c', overwrite: true },
      { handle: 7, data: Buffer.from('abc').toString('base64') },
      { handle: 7 },
      { path: 'dbfs:/a', recursive: true },
      { path: '/Shared/x' },
      { path: '/Shared/x', recursive: true },
      undefined,
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
    const { client } = clientFor([
      apiError(404, 'RESOURCE_DOES_NOT_EXIST', "Path (/x) doesn't exist."),
      json(200, { object_type: 'NOTEBOOK', path: '/y', language: 'PYTHON', object_id: 1 }),
      apiError(404, 'RESOURCE_DOES_NOT_EXIST', 'No file or directory exists on path /x.'),
      json(200, { path: '/z', is_dir: false, file_size: 3 }),
    ]);
    expect(await client.workspaceGetStatus('/x')).toBeUndefined();
    expect(await client.workspaceGetStatus('/y')).toMatchObject({
      object_type: 'NOTEBOOK',
      language: 'PYTHON',
    });
    expect(await client.dbfsGetStatus('/x')).toBeUndefined();
    expect(await client.dbfsGetStatus('/z')).toEqual({ path: '/z', is_dir: false, file_size: 3 });
  });

  it('lists a folder: an empty folder answers {} -> [], a missing one throws NotFound', async () => {
    const { client } = clientFor([
      json(200, {}),
      json(200, { objects: [{ object_type: 'DIRECTORY', path: '/a/b' }] }),
      apiError(404, 'RESOURCE_DOES_NOT_EXIST', "Path (/gone) doesn't exist."),
    ]);
    expect(await client.listWorkspace('/a')).toEqual([]);
    expect(await client.listWorkspace('/a')).toEqual([{ object_type: 'DIRECTORY', path: '/a/b' }]);
    await expect(client.listWorkspace('/gone')).rejects.toBeInstanceOf(DatabricksNotFoundError);
  });

  it('maps the 400 "does not exist" of clusters/get and jobs/get to NotFound', async () => {
    const { client } = clientFor([
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
    await expect(client.getJob(5)).rejects.toBeInstanceOf(DatabricksNotFoundError);
  });
});

describe('DatabricksWorkspaceClient local validation', () => {
  it('refuses a put above 1 MiB without a request, pointing at the streaming upload', async () => {
    const { client, requests } = clientFor(json(200, {}));
    const error = await rejectionOf(client.dbfsPut('dbfs:/big', Buffer.alloc(1_048_577)));
    expect(error).toBeInstanceOf(DatabricksInvalidRequestError);
    expect(error.code).toBe('MAX_BLOCK_SIZE_EXCEEDED');
    expect(error.message).toMatch(/^databricks dbfs\/put: .*uploadDbfsFile/);
    expect(requests).toHaveLength(0);
    await client.dbfsPut('dbfs:/edge', Buffer.alloc(1_048_576));
    expect(requests).toHaveLength(1);
  });

  it.each([
    [
      'an add-block above 1 MiB',
      (c: DatabricksWorkspaceClient) => c.dbfsAddBlock(1, Buffer.alloc(1_048_577)),
    ],
    [
      'a SOURCE import without language',
      (c: DatabricksWorkspaceClient) =>
        c.workspaceImport({ path: '/a', format: 'SOURCE', content: Buffer.from('x'), overwrite: true }),
    ],
    [
      'a SOURCE notebook above 10 MiB',
      (c: DatabricksWorkspaceClient) =>
        c.workspaceImport({
          path: '/a',
          format: 'SOURCE',
          language: 'SQL',
          content: Buffer.alloc(10 * 1_048_576 + 1),
          overwrite: true,
        }),
    ],
    [
      'an idempotency token above 64 chars',
      (c: DatabricksWorkspaceClient) =>
        c.createCluster({ cluster_name: 'a', spark_version: 's' }, { idempotencyToken: 'x'.repeat(65) }),
    ],
  ])('refuses %s locally', async (_name, call) => {
    const { client, requests } = clientFor(json(200, {}));
    const error = await rejectionOf(call(client));
    expect(error).toBeInstanceOf(DatabricksInvalidRequestError);
    expect(error.attempts).toBe(0);
    expect(requests).toHaveLength(0);
  });

  it('refuses a plain-http workspace URL except for loopback fakes', () => {
    const credential = new StaticTokenCredential(TOKEN);
    expect(() => new DatabricksWorkspaceClient('http://adb-1.2.azuredatabricks.net', credential)).toThrow(
      /https/,
    );
    expect(() => new DatabricksWorkspaceClient('not a url', credential)).toThrow(/not a URL/);
    expect(new DatabricksWorkspaceClient('http://127.0.0.1:8443/ws/qa/', credential).workspaceUrl).toBe(
      'http://127.0.0.1:8443/ws/qa',
    );
  });
});

describe('DatabricksWorkspaceClient retries', () => {
  it('retries a 429 after the decimal Retry-After and tells the scheduler', async () => {
    const { client, requests } = clientFor([
      apiError(429, 'REQUEST_LIMIT_EXCEEDED', 'slow down', { 'Retry-After': '0.25' }),
      json(200, { cluster_id: 'c' }),
    ]);
    const started = performance.now();
    await client.getCluster('c');
    expect(performance.now() - started).toBeGreaterThanOrEqual(245);
    expect(requests).toHaveLength(2);
    expect((requests[1]?.at ?? 0) - (requests[0]?.at ?? 0)).toBeGreaterThanOrEqual(245);
    expect(client.scheduler.getStats()).toMatchObject({ throttled: 1, started: 2, inFlight: 0 });
  });

  it('retries 429 and 503 even for calls that are not safe to repeat', async () => {
    const { client, requests } = clientFor([
      apiError(429, 'REQUEST_LIMIT_EXCEEDED', 'slow down', { 'Retry-After': '0' }),
      apiError(503, 'TEMPORARILY_UNAVAILABLE', 'busy'),
      json(200, { job_id: 3 }),
    ]);
    expect(await client.createJob({ name: 'j' })).toBe(3);
    expect(requests).toHaveLength(3);
  });

  it('retries 500 with backoff and connection resets for idempotent calls', async () => {
    const { client, requests } = clientFor([
      apiError(500, 'INTERNAL_ERROR', 'oops'),
      connectionError('ECONNRESET'),
      new Error('socket hang up'),
      json(200, {}),
    ]);
    await client.workspaceImport({ path: '/a', format: 'AUTO', content: Buffer.from('x'), overwrite: true });
    expect(requests).toHaveLength(4);
  });

  it('does not repeat an ambiguous failure of jobs/create, and says why', async () => {
    for (const step of [apiError(500, 'INTERNAL_ERROR', 'oops'), connectionError('ECONNRESET')]) {
      const { client, requests } = clientFor([step, json(200, { job_id: 1 })]);
      const error = await rejectionOf(client.createJob({ name: 'j' }));
      expect(error).toBeInstanceOf(DatabricksTransientError);
      expect(error.retryable).toBe(true);
      expect(error.message).toMatch(
        /^databricks jobs\/create: .*not retried: jobs\/create is not safe to repeat/,
      );
      expect(requests).toHaveLength(1);
    }
  });

  it('repeats clusters/create only when it carries an idempotency token', async () => {
    const withToken = clientFor([connectionError('ECONNRESET'), json(200, { cluster_id: 'c' })]);
    expect(
      await withToken.client.createCluster(
        { cluster_name: 'a', spark_version: 's' },
        { idempotencyToken: 'tok' },
      ),
    ).toBe('c');
    expect(withToken.requests.map((r) => r.body?.idempotency_token)).toEqual(['tok', 'tok']);
    const without = clientFor([connectionError('ECONNRESET'), json(200, { cluster_id: 'c' })]);
    await expect(
      without.client.createCluster({ cluster_name: 'a', spark_version: 's' }),
    ).rejects.toBeInstanceOf(DatabricksTransientError);
    expect(without.requests).toHaveLength(1);
  });

  it('retries a refused connection even for jobs/create: the request was never sent', async () => {
    const { client, requests } = clientFor([connectionError('ECONNREFUSED'), json(200, { job_id: 8 })]);
    expect(await client.createJob({ name: 'j' })).toBe(8);
    expect(requests).toHaveLength(2);
  });

  it.each([
    [400, 'INVALID_PARAMETER_VALUE', DatabricksInvalidRequestError],
    [400, 'RESOURCE_ALREADY_EXISTS', DatabricksAlreadyExistsError],
    [401, 'UNAUTHENTICATED', DatabricksUnauthenticatedError],
    [404, 'RESOURCE_DOES_NOT_EXIST', DatabricksNotFoundError],
  ])('never retries %i %s', async (status, code, type) => {
    const { client, requests } = clientFor([apiError(status, code, 'no'), json(200, {})]);
    const error = await rejectionOf(client.workspaceMkdirs('/a'));
    expect(error).toBeInstanceOf(type);
    expect(error.attempts).toBe(1);
    expect(requests).toHaveLength(1);
  });

  it('gives up after maxRetries and says how many attempts were made', async () => {
    const { client, requests } = clientFor(apiError(429, 'REQUEST_LIMIT_EXCEEDED', 'slow down'), {
      retry: { maxRetries: 3, baseDelayInMs: 1, maxDelayInMs: 2 },
    });
    const error = await rejectionOf(client.dbfsMkdirs('/a'));
    expect(error).toBeInstanceOf(DatabricksThrottledError);
    expect(error.message).toBe(
      'databricks dbfs/mkdirs: 429 REQUEST_LIMIT_EXCEEDED: slow down (gave up after 4 attempts)',
    );
    expect(error.attempts).toBe(4);
    expect(requests).toHaveLength(4);
  });

  it('times out a silent request and retries it', async () => {
    const { client, requests } = clientFor([hang, json(200, { objects: [] })], { timeoutInMs: 50 });
    expect(await client.listWorkspace('/')).toEqual([]);
    expect(requests).toHaveLength(2);
    const silent = clientFor(hang, { timeoutInMs: 30, retry: { maxRetries: 1, baseDelayInMs: 1 } });
    const error = await rejectionOf(silent.client.listWorkspace('/'));
    expect(error).toBeInstanceOf(DatabricksTransientError);
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toMatch(/no answer within 30 ms \(gave up after 2 attempts\)/);
  });

  it('stops at once when the caller aborts, in flight or while waiting to retry', async () => {
    const inFlight = clientFor(hang);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    await expect(
      inFlight.client.listWorkspace('/', { abortSignal: controller.signal }),
    ).rejects.toMatchObject({
      name: 'AbortError',
    });

    const waiting = clientFor(apiError(429, 'REQUEST_LIMIT_EXCEEDED', 'slow', { 'Retry-After': '30' }));
    const second = new AbortController();
    setTimeout(() => second.abort(), 20);
    const started = performance.now();
    await expect(waiting.client.listWorkspace('/', { abortSignal: second.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
    // Well before the 30 s Retry-After.
    expect(performance.now() - started).toBeLessThan(5000);
    expect(waiting.requests).toHaveLength(1);
  });

  it('reports every attempt to onRequest', async () => {
    const seen: DatabricksRequestInfo[] = [];
    const { client } = clientFor(
      [connectionError('ECONNRESET'), apiError(503, 'TEMPORARILY_UNAVAILABLE', 'x'), json(200, {})],
      {
        onRequest: (info) => seen.push(info),
      },
    );
    await client.dbfsMkdirs('/a');
    expect(
      seen.map(({ method, endpoint, status, attempt, errorCode }) => ({
        method,
        endpoint,
        status,
        attempt,
        errorCode,
      })),
    ).toEqual([
      { method: 'POST', endpoint: 'dbfs/mkdirs', status: undefined, attempt: 1, errorCode: 'ECONNRESET' },
      { method: 'POST', endpoint: 'dbfs/mkdirs', status: 503, attempt: 2, errorCode: undefined },
      { method: 'POST', endpoint: 'dbfs/mkdirs', status: 200, attempt: 3, errorCode: undefined },
    ]);
    expect(seen.every((info) => info.durationInMs >= 0)).toBe(true);
  });
});

describe('DatabricksWorkspaceClient secrets', () => {
  it('keeps header values out of error messages, even when the server echoes them', async () => {
    const { client } = clientFor(
      apiError(401, 'UNAUTHENTICATED', `Invalid access token ${TOKEN} (Bearer ${TOKEN})`),
    );
    const error = await rejectionOf(client.listWorkspace('/'));
    expect(error).toBeInstanceOf(DatabricksUnauthenticatedError);
    expect(error.message).not.toContain(TOKEN);
    expect(JSON.stringify(error)).not.toContain(TOKEN);
    expect(error.message).toMatch(/^databricks workspace\/list: .*expired or revoked/);
  });

  it('does not show the token when a credential is logged or serialized', () => {
    const credential = new StaticTokenCredential(TOKEN);
    expect(JSON.stringify(credential)).not.toContain(TOKEN);
    expect(String(Object.values(credential))).not.toContain(TOKEN);
  });
});

describe('DatabricksWorkspaceClient pagination', () => {
  it('follows next_page_token through clusters/list, lazily', async () => {
    const { client, requests } = clientFor((request) => {
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
    const { client, requests } = clientFor((request) => {
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

  it('stops with an error when the server repeats a page token', async () => {
    const { client } = clientFor(json(200, { jobs: [], has_more: true, next_page_token: 'same' }));
    const iterate = async () => {
      for await (const _job of client.listJobs()) {
        // drain
      }
    };
    await expect(iterate()).rejects.toThrow(/same page token twice/);
  });
});

describe('DatabricksWorkspaceClient scheduling', () => {
  it('shares one scheduler per workspace between clients', async () => {
    const scheduler = new RequestScheduler({ maxInFlight: 2 });
    let concurrent = 0;
    let peak = 0;
    const handler: ScriptStep = async () => {
      concurrent++;
      peak = Math.max(peak, concurrent);
      await new Promise((resolve) => setTimeout(resolve, 10));
      concurrent--;
      return json(200, {});
    };
    const a = clientFor(handler, { scheduler }).client;
    const b = clientFor(handler, { scheduler }).client;
    await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).workspaceMkdirs(`/f${i}`)));
    expect(peak).toBe(2);
    expect(scheduler.getStats()).toMatchObject({ started: 10, maxInFlightSeen: 2, inFlight: 0, queued: 0 });
  });

  it('pauses the whole group on a 429 so parallel callers do not hammer it', async () => {
    // The real scheduler, watched: when the 429 was reported, and when each request was let through.
    const reported: number[] = [];
    const starts: number[] = [];
    class WatchedScheduler extends RequestScheduler {
      override reportThrottled(endpoint: string, retryAfterInMs: number): void {
        reported.push(performance.now());
        super.reportThrottled(endpoint, retryAfterInMs);
      }
      override run<T>(endpoint: string, task: () => Promise<T>, options?: ScheduleOptions): Promise<T> {
        return super.run(endpoint, () => (starts.push(performance.now()), task()), options);
      }
    }
    let served = 0;
    const { client, requests } = clientFor(
      () => {
        served++;
        return served === 1
          ? apiError(429, 'REQUEST_LIMIT_EXCEEDED', 'slow down', { 'Retry-After': '0.3' })
          : json(200, {});
      },
      { scheduler: new WatchedScheduler({ ratesPerSecond: { 'workspace/import': 200 } }) },
    );
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        client.workspaceImport({
          path: `/n${i}`,
          format: 'AUTO',
          content: Buffer.from('x'),
          overwrite: true,
        }),
      ),
    );
    expect(reported).toHaveLength(1);
    const throttledAt = reported[0] ?? 0;
    // Requests let through before the 429 arrived may still run (their task can begin a moment after the
    // report, hence the 1 ms); none starts during the 300 ms pause.
    const during = starts.filter((at) => at - throttledAt > 1 && at - throttledAt < 295);
    expect(during).toEqual([]);
    expect(starts.filter((at) => at > throttledAt).length).toBeGreaterThanOrEqual(1);
    expect(requests).toHaveLength(11);
    expect(client.scheduler.getStats().throttled).toBe(1);
  });

  it('paces requests to a server rate limit without provoking 429s', async () => {
    // A server token bucket like the emulator's: capacity one second's worth, refilled continuously.
    const rate = 100;
    let tokens = rate;
    let last = performance.now();
    let rejected = 0;
    const scheduler = new RequestScheduler({ ratesPerSecond: { 'workspace/import': rate } });
    const { client } = clientFor(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 15));
        const now = performance.now();
        tokens = Math.min(rate, tokens + ((now - last) * rate) / 1000);
        last = now;
        if (tokens < 1) {
          rejected++;
          return apiError(429, 'REQUEST_LIMIT_EXCEEDED', 'slow down', { 'Retry-After': '0.05' });
        }
        tokens -= 1;
        return json(200, {});
      },
      { scheduler },
    );
    const count = 150;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: count }, (_, i) =>
        client.workspaceImport({
          path: `/n${i}`,
          format: 'AUTO',
          content: Buffer.from('x'),
          overwrite: true,
        }),
      ),
    );
    const elapsedInS = (performance.now() - started) / 1000;
    // How close to the rate it gets is a benchmark figure (npm run bench: imports at 100% of the limit) and,
    // exactly, RequestScheduler's fake-clock tests; here, on a real clock, only what a busy machine cannot
    // change: no 429 and never faster than the rate.
    expect(rejected).toBe(0);
    // Evenly spaced starts: (count - 1) intervals, plus the last request's latency.
    expect(elapsedInS).toBeGreaterThanOrEqual((count - 1) / rate - 0.01);
  });
});
