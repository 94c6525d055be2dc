// POST /api/releases: each operator field refused with 400 naming the field and its rule (nothing started),
// and the requester recorded as the signed-in user only when App Service Authentication vouches for them.
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { BlobServiceClient } from '@azure/storage-blob';
import * as df from 'durable-functions';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RELEASES_CONTAINER, stagedBundleBlob } from '../../../src/azure/ReleaseStorage';
import type { ReleaseInput } from '../../../src/release/ReleaseInput';
import { FUNCTION_KEY_HOLDER, startRelease } from '../../../src/functions/startRelease';
import { Azurite } from '../../emulator/Azurite';
import { FakeDurableApi } from '../../emulator/FakeDurableApi';

let durable: FakeDurableApi;
let azurite: Azurite;
const PUBLIC_URL = 'https://bricklane.example.net';
const STAGED = 'c'.repeat(64);
const MALLORY_ID = '0b9c8d7e-6f5a-4b3c-8d2e-1f0a9b8c7d6e';

function post(payload: unknown, headers: Record<string, string> = {}): Promise<HttpResponseInit> {
  const binding = df.input.durableClient();
  const context = new InvocationContext({
    functionName: 'startRelease',
    options: { extraInputs: [binding] },
  });
  context.extraInputs.set(binding, durable.clientData);
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return startRelease(
    new HttpRequest({ method: 'POST', url: `${PUBLIC_URL}/api/releases`, headers, body: { string: body } }),
    context,
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
  const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
    RELEASES_CONTAINER,
  );
  await container.createIfNotExists();
  await container.getBlockBlobClient(stagedBundleBlob(STAGED)).upload('x', 1);
});

afterAll(async () => {
  delete process.env.WEBSITE_AUTH_ENABLED;
  await Promise.all([durable?.stop(), azurite?.stop()]);
});

beforeEach(() => {
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
    ['environments not configured', { bundleId: STAGED, environments: ['prod'] }, 'environments', /dev, qa/],
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
    ['an unknown field', { bundleId: STAGED, requestedBy: 'alice' }, 'requestedBy', /bundleId, environments/],
    ['not JSON', '{"bundleId":', 'body', /JSON object/],
  ] as const)(
    'refuses %s with 400 { error, field, rule } and starts nothing',
    async (_name, payload, field, rule) => {
      const startsBefore = durable.starts.length;
      const response = await post(payload);
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
    const response = await post({ bundleId: 'd'.repeat(64) });
    expect(response.status).toBe(404);
    expect(response.jsonBody).toMatchObject({
      field: 'bundleId',
      error: expect.stringContaining('not staged'),
    });
  });

  it('accepts well-formed fields (an empty list still means every environment)', async () => {
    const response = await post({
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
    const response = await post({ bundleId: STAGED, rerun }, headers);
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
