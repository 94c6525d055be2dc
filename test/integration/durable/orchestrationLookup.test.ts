// Only "not found" is not found: every lookup of an orchestration tells the extension's 404 from any
// other failure. The durable client is real (durable-functions 3.5) and talks to a stand-in of the
// extension's HTTP API that can fail a status read, as it does when the task hub's storage is down.
import { InvocationContext } from '@azure/functions';
import { BlobServiceClient } from '@azure/storage-blob';
import * as df from 'durable-functions';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { claimEnvironment } from '../../../src/activities/claimEnvironment';
import {
  lockBlob,
  RELEASES_CONTAINER,
  stagedBundleBlob,
  waitingBlob,
} from '../../../src/azure/ReleaseStorage';
import { findOrchestration, OrchestrationLookupError } from '../../../src/azure/findOrchestration';
import { readOrchestration } from '../../../src/approvals/readOrchestration';
import { beginRelease } from '../../../src/functions/beginRelease';
import { getRelease } from '../../../src/functions/getRelease';
import { startRelease } from '../../../src/functions/startRelease';
import { releaseInputFor } from '../../../src/release/releaseInputFor';
import { loadSettings } from '../../../src/config/loadSettings';
import { Azurite } from '../../emulator/Azurite';
import { FakeDurableApi } from '../../emulator/FakeDurableApi';
import { HttpRequest } from '@azure/functions';

let durable: FakeDurableApi;
let azurite: Azurite;
const PUBLIC_URL = 'https://bricklane.example.net';

function clientContext(functionName: string): InvocationContext {
  const binding = df.input.durableClient();
  const context = new InvocationContext({ functionName, options: { extraInputs: [binding] } });
  context.extraInputs.set(binding, durable.clientData);
  return context;
}

const client = (): df.DurableClient => df.getClient(clientContext('lookup'));

beforeAll(async () => {
  [durable, azurite] = await Promise.all([FakeDurableApi.start(), Azurite.start()]);
  Object.assign(process.env, {
    BRICKLANE_ENVIRONMENTS: 'dev,qa',
    BRICKLANE_DEV_DATABRICKS_AUTH: 'token',
    BRICKLANE_DEV_WORKSPACE_URL: 'https://adb-1.1.azuredatabricks.net',
    BRICKLANE_DEV_DATABRICKS_TOKEN: 'dapi-test',
    BRICKLANE_QA_DATABRICKS_AUTH: 'token',
    BRICKLANE_QA_WORKSPACE_URL: 'https://adb-2.2.azuredatabricks.net',
    BRICKLANE_QA_DATABRICKS_TOKEN: 'dapi-test',
    BRICKLANE_LEDGER_CONNECTION: azurite.connectionString,
    BRICKLANE_PUBLIC_URL: PUBLIC_URL,
  });
});

afterAll(async () => {
  await Promise.all([durable?.stop(), azurite?.stop()]);
});

beforeEach(() => {
  durable.statusFaults.length = 0;
});

describe('findOrchestration', () => {
  it('answers undefined only for the extension’s 404', async () => {
    await expect(findOrchestration(client(), 'release-never-started')).resolves.toBeUndefined();
  });

  it('answers the status of an existing instance', async () => {
    durable.instances.set('release-known', { runtimeStatus: 'Completed', customStatus: null });
    await expect(findOrchestration(client(), 'release-known')).resolves.toMatchObject({
      runtimeStatus: 'Completed',
    });
  });

  it.each([500, 502, 503])(
    'throws OrchestrationLookupError when the status read answers %i',
    async (code) => {
      durable.instances.set('release-known', { runtimeStatus: 'Completed', customStatus: null });
      durable.statusFaults.push(code);
      const error = await findOrchestration(client(), 'release-known').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OrchestrationLookupError);
      expect((error as OrchestrationLookupError).code).toBe('OrchestrationLookupFailed');
      expect((error as Error).message).toMatch(/release-known.*not "not found": retry/);
    },
  );

  it('throws when the extension cannot be reached at all', async () => {
    const binding = df.input.durableClient();
    const context = new InvocationContext({ functionName: 'lookup', options: { extraInputs: [binding] } });
    context.extraInputs.set(binding, {
      ...durable.clientData,
      rpcBaseUrl: 'http://127.0.0.1:9/durabletask/',
      baseUrl: 'http://127.0.0.1:9/durabletask/',
    });
    await expect(findOrchestration(df.getClient(context), 'x')).rejects.toBeInstanceOf(
      OrchestrationLookupError,
    );
  });

  it('readOrchestration (approval links) keeps the distinction', async () => {
    await expect(readOrchestration(client(), 'release-never-started')).resolves.toBeUndefined();
    durable.statusFaults.push(500);
    await expect(readOrchestration(client(), 'release-never-started')).rejects.toBeInstanceOf(
      OrchestrationLookupError,
    );
  });
});

describe('beginRelease', () => {
  const input = () =>
    releaseInputFor(loadSettings(process.env), {
      bundleId: 'a'.repeat(64),
      source: { kind: 'manual', requestedBy: 'test' },
    });

  it('never restarts a finished release when its status cannot be read', async () => {
    const release = input();
    durable.instances.set(release.releaseId, { runtimeStatus: 'Completed', customStatus: null });
    durable.statusFaults.push(500);
    const startsBefore = durable.starts.length;
    await expect(beginRelease(client(), release, PUBLIC_URL)).rejects.toBeInstanceOf(
      OrchestrationLookupError,
    );
    expect(durable.starts.length).toBe(startsBefore);
    expect(durable.instances.get(release.releaseId)?.runtimeStatus).toBe('Completed');
  });

  it('answers the finished release when the lookup works', async () => {
    const release = input();
    durable.instances.set(release.releaseId, { runtimeStatus: 'Completed', customStatus: null });
    const startsBefore = durable.starts.length;
    await expect(beginRelease(client(), release, PUBLIC_URL)).resolves.toMatchObject({
      started: false,
      runtimeStatus: 'Completed',
    });
    expect(durable.starts.length).toBe(startsBefore);
  });

  it('POST /api/releases answers 503 with Retry-After and starts nothing when the lookup fails', async () => {
    const bundleId = 'b'.repeat(64);
    const blobs = BlobServiceClient.fromConnectionString(azurite.connectionString);
    const container = blobs.getContainerClient(RELEASES_CONTAINER);
    await container.createIfNotExists();
    await container.getBlockBlobClient(stagedBundleBlob(bundleId)).upload('x', 1);
    durable.statusFaults.push(500);
    const startsBefore = durable.starts.length;
    const response = await startRelease(
      new HttpRequest({
        method: 'POST',
        url: `${PUBLIC_URL}/api/releases`,
        body: { string: JSON.stringify({ bundleId }) },
      }),
      clientContext('startRelease'),
    );
    expect(response.status).toBe(503);
    expect(response.headers).toMatchObject({ 'Retry-After': '10' });
    expect(JSON.stringify(response.jsonBody)).toMatch(/was not started: could not read the status/);
    expect(durable.starts.length).toBe(startsBefore);
  });
});

describe('claimEnvironment', () => {
  const records = () =>
    BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(RELEASES_CONTAINER);

  async function hold(blob: string, releaseId: string): Promise<void> {
    await records().createIfNotExists();
    const body = JSON.stringify({
      releaseId,
      startedAt: '2026-12-01T00:00:00Z',
      since: '2026-12-01T00:00:00Z',
    });
    await records().getBlockBlobClient(blob).upload(body, Buffer.byteLength(body));
  }

  async function holder(blob: string): Promise<string> {
    const text = (await records().getBlockBlobClient(blob).downloadToBuffer()).toString();
    return (JSON.parse(text) as { releaseId: string }).releaseId;
  }

  it('does not take over an environment whose holder’s status cannot be read (the activity is retried)', async () => {
    await hold(lockBlob('qa'), 'release-holder-a');
    durable.instances.set('release-holder-a', { runtimeStatus: 'Running', customStatus: null });
    durable.statusFaults.push(503);
    const claim = claimEnvironment(
      {
        releaseId: 'release-newer-a',
        environment: 'qa',
        phase: 'applying',
        startedAt: '2026-12-02T00:00:00Z',
      },
      clientContext('claimEnvironment'),
    );
    await expect(claim).rejects.toBeInstanceOf(OrchestrationLookupError);
    expect(await holder(lockBlob('qa'))).toBe('release-holder-a');
  });

  it('takes over from a holder the extension says does not exist (404)', async () => {
    await hold(waitingBlob('qa'), 'release-purged-b');
    const result = await claimEnvironment(
      {
        releaseId: 'release-newer-b',
        environment: 'qa',
        phase: 'waiting',
        startedAt: '2026-12-02T00:00:00Z',
      },
      clientContext('claimEnvironment'),
    );
    expect(result).toEqual({ granted: true, other: 'release-purged-b' });
    expect(await holder(waitingBlob('qa'))).toBe('release-newer-b');
  });

  it('waits for a live holder whose status reads fine', async () => {
    await hold(lockBlob('dev'), 'release-holder-c');
    durable.instances.set('release-holder-c', { runtimeStatus: 'Running', customStatus: null });
    const result = await claimEnvironment(
      {
        releaseId: 'release-newer-c',
        environment: 'dev',
        phase: 'applying',
        startedAt: '2026-12-02T00:00:00Z',
      },
      clientContext('claimEnvironment'),
    );
    expect(result).toEqual({ granted: false, other: 'release-holder-c' });
  });
});

describe('POST /api/releases commit', () => {
  it.each(['?a=b#/../.', 'main', 'abc', 'g'.repeat(40), 'a'.repeat(41)])(
    'refuses %j with 400 naming the field and the rule, and starts nothing',
    async (commit) => {
      const startsBefore = durable.starts.length;
      const response = await startRelease(
        new HttpRequest({
          method: 'POST',
          url: `${PUBLIC_URL}/api/releases`,
          body: { string: JSON.stringify({ bundleId: 'b'.repeat(64), commit }) },
        }),
        clientContext('startRelease'),
      );
      expect(response.status).toBe(400);
      expect(response.jsonBody).toEqual({
        error: 'commit: commit must be a git commit id: 7 to 40 hexadecimal characters',
        field: 'commit',
        rule: 'a git commit id: 7 to 40 hexadecimal characters',
      });
      expect(durable.starts.length).toBe(startsBefore);
    },
  );
});

describe('GET /api/releases/{id}', () => {
  const get = (accept: string) =>
    getRelease(
      new HttpRequest({
        method: 'GET',
        url: `${PUBLIC_URL}/api/releases/release-known`,
        headers: { accept },
        params: { id: 'release-known' },
      }),
      clientContext('getRelease'),
    );

  it('answers 503 (JSON and page), not 404, when the status cannot be read', async () => {
    durable.instances.set('release-known', { runtimeStatus: 'Completed', customStatus: null });
    durable.statusFaults.push(500);
    const json = await get('application/json');
    expect(json.status).toBe(503);
    expect(json.headers).toMatchObject({ 'Retry-After': '5' });
    expect(json.jsonBody).toEqual({
      error: 'The release status could not be read just now; try again in a few seconds.',
    });
    durable.statusFaults.push(500);
    const page = await get('text/html');
    expect(page.status).toBe(503);
    expect(String(page.body)).toContain('could not be read just now');
  });

  it('answers 404 for a release the extension does not know', async () => {
    durable.instances.delete('release-known');
    expect((await get('application/json')).status).toBe(404);
  });
});
