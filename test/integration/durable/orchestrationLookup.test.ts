// Only "not found" is not found: every lookup of an orchestration tells the extension's 404 from any
// other failure. The durable client is real (durable-functions 3.5) and talks to a stand-in of the
// extension's HTTP API that can fail a status read, as it does when the task hub's storage is down.
import { InvocationContext } from '@azure/functions';
import { BlobServiceClient } from '@azure/storage-blob';
import * as df from 'durable-functions';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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
import { FUNCTION_KEY_HOLDER, startRelease } from '../../../src/functions/startRelease';
import type { ReleaseInput } from '../../../src/release/ReleaseInput';
import { releaseInputFor } from '../../../src/release/releaseInputFor';
import { loadSettings } from '../../../src/config/loadSettings';
import { Azurite } from '../../emulator/Azurite';
import { FakeDurableApi } from '../../emulator/FakeDurableApi';
import { HttpRequest, type HttpResponseInit } from '@azure/functions';

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

// POST /api/releases: each operator field refused with 400 naming the field and its rule (nothing started),
// and the requester recorded as the signed-in user only when App Service Authentication vouches for them.
const STAGED = 'c'.repeat(64);
const MALLORY_ID = '0b9c8d7e-6f5a-4b3c-8d2e-1f0a9b8c7d6e';

function postRelease(payload: unknown, headers: Record<string, string> = {}): Promise<HttpResponseInit> {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return startRelease(
    new HttpRequest({ method: 'POST', url: `${PUBLIC_URL}/api/releases`, headers, body: { string: body } }),
    clientContext('startRelease'),
  );
}

/** What App Service Authentication sends for mallory, whose e-mail claim and name header say alice. */
const MALLORY = {
  'x-ms-client-principal-idp': 'aad',
  'x-ms-client-principal-id': MALLORY_ID,
  'x-ms-client-principal-name': 'alice@contoso.com',
  'x-ms-client-principal': Buffer.from(
    JSON.stringify({
      auth_typ: 'aad',
      claims: [
        { typ: 'http://schemas.microsoft.com/identity/claims/objectidentifier', val: MALLORY_ID },
        { typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn', val: 'mallory@contoso.com' },
        {
          typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
          val: 'alice@contoso.com',
        },
      ],
    }),
  ).toString('base64'),
};

describe('POST /api/releases fields and requester', () => {
  beforeAll(async () => {
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
      RELEASES_CONTAINER,
    );
    await container.createIfNotExists();
    await container.getBlockBlobClient(stagedBundleBlob(STAGED)).upload('x', 1);
  });
  afterEach(() => {
    delete process.env.WEBSITE_AUTH_ENABLED;
  });

  describe('POST /api/releases operator input', () => {
    it.each([
      ['bundleId not a sha256', { bundleId: 'x'.repeat(64) }, 'bundleId', /sha256/],
      ['bundleId in capitals', { bundleId: 'C'.repeat(64) }, 'bundleId', /sha256/],
      [
        'environments with a path',
        { bundleId: STAGED, environments: ['../qa'] },
        'environments',
        /environment names/,
      ],
      [
        'environments too many',
        { bundleId: STAGED, environments: Array(17).fill('dev') },
        'environments',
        /at most 16/,
      ],
      [
        'environments not configured',
        { bundleId: STAGED, environments: ['prod'] },
        'environments',
        /dev, qa/,
      ],
      [
        'environments not a list',
        { bundleId: STAGED, environments: 'dev' },
        'environments',
        /environment names/,
      ],
      ['from with a query', { bundleId: STAGED, from: 'qa?x=1' }, 'from', /environment name/],
      ['from not configured', { bundleId: STAGED, from: 'staging' }, 'from', /dev, qa/],
      ['from too long', { bundleId: STAGED, from: 'q'.repeat(17) }, 'from', /at most 16/],
      ['rerun with a slash', { bundleId: STAGED, rerun: 'a/b' }, 'rerun', /letters, digits/],
      ['rerun with a control character', { bundleId: STAGED, rerun: 'a\u0000b' }, 'rerun', /letters, digits/],
      ['rerun too long', { bundleId: STAGED, rerun: 'r'.repeat(65) }, 'rerun', /1 to 64/],
      ['rerun empty', { bundleId: STAGED, rerun: '' }, 'rerun', /1 to 64/],
      ['commit a branch name', { bundleId: STAGED, commit: 'main' }, 'commit', /7 to 40 hexadecimal/],
      ['ref with a space', { bundleId: STAGED, ref: 'refs/heads/a b' }, 'ref', /git ref/],
      ['ref with a newline', { bundleId: STAGED, ref: 'refs/heads/a\nb' }, 'ref', /git ref/],
      ['ref too long', { bundleId: STAGED, ref: `refs/heads/${'x'.repeat(250)}` }, 'ref', /1 to 256/],
      [
        'an unknown field',
        { bundleId: STAGED, requestedBy: 'alice' },
        'requestedBy',
        /bundleId, environments/,
      ],
      ['not JSON', '{"bundleId":', 'body', /JSON object/],
    ] as const)(
      'refuses %s with 400 { error, field, rule } and starts nothing',
      async (_name, payload, field, rule) => {
        const startsBefore = durable.starts.length;
        const response = await postRelease(payload);
        expect(response.status).toBe(400);
        expect(response.jsonBody).toMatchObject({
          error: expect.any(String),
          field,
          rule: expect.stringMatching(rule),
        });
        expect(durable.starts.length).toBe(startsBefore);
      },
    );

    it('answers 404 naming bundleId for a bundle that is not staged', async () => {
      const response = await postRelease({ bundleId: 'd'.repeat(64) });
      expect(response.status).toBe(404);
      expect(response.jsonBody).toMatchObject({
        field: 'bundleId',
        error: expect.stringContaining('not staged'),
      });
    });

    it('accepts well-formed fields (an empty list still means every environment)', async () => {
      const response = await postRelease({
        bundleId: STAGED,
        environments: [],
        rerun: '2026-12-04T21:00:00Z',
        commit: '3f2a9c1d0e',
        ref: 'refs/heads/release/2026.12',
      });
      expect(response.status).toBe(202);
      const started = durable.starts.at(-1)?.input as ReleaseInput;
      expect(started.environments).toEqual(['dev', 'qa']);
    });
  });

  describe('POST /api/releases requester', () => {
    const requester = async (headers: Record<string, string>, rerun: string): Promise<string | undefined> => {
      const response = await postRelease({ bundleId: STAGED, rerun }, headers);
      expect(response.status).toBe(202);
      return (durable.starts.at(-1)?.input as ReleaseInput).source.requestedBy;
    };

    it('is the function key holder when App Service Authentication is off, whatever the headers say', async () => {
      // MALLORY carries `x-ms-client-principal-name: alice@contoso.com`, which anyone can send.
      expect(await requester(MALLORY, 'off')).toBe(FUNCTION_KEY_HOLDER);
      expect(FUNCTION_KEY_HOLDER).toBe('function key holder');
    });

    it('is the signed-in user (by UPN, never the e-mail or name header) when it is on', async () => {
      process.env.WEBSITE_AUTH_ENABLED = 'true';
      expect(await requester(MALLORY, 'on')).toBe('mallory@contoso.com');
      // A CI caller with the function key and no sign-in (unauthenticated requests allowed).
      expect(await requester({}, 'on-anonymous')).toBe(FUNCTION_KEY_HOLDER);
    });
  });
});
