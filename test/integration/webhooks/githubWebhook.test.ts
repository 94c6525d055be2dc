// The GitHub push webhook called as the Functions host calls it, with real payloads from
// @octokit/webhooks-examples signed as GitHub signs them, and the durable client bound to a fake
// extension that records starts.
import { createHmac, randomUUID } from 'node:crypto';
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/config/loadSettings';
import { releaseInputFor } from '../../../src/release/releaseInputFor';
import { githubWebhook, githubWebhookOptions } from '../../../src/functions/githubWebhook';
import {
  branchPushExample,
  deletionExample,
  pingExample,
  tagPushExample,
} from '../../fixtures/webhooks/githubExamples';
import { Azurite } from '../../emulator/Azurite';
import { FakeDurableApi } from '../../emulator/FakeDurableApi';

const SECRET = 'It’s a Secret to Everybody'; // GitHub's own example secret (non-ASCII on purpose)
const PUBLIC_URL = 'https://bricklane.example.net';
const ENV = {
  BRICKLANE_ENVIRONMENTS: 'dev,qa',
  BRICKLANE_DEV_DATABRICKS_AUTH: 'token',
  BRICKLANE_DEV_WORKSPACE_URL: 'https://adb-1.1.azuredatabricks.net',
  BRICKLANE_DEV_DATABRICKS_TOKEN: 'dapi-test',
  BRICKLANE_QA_DATABRICKS_AUTH: 'token',
  BRICKLANE_QA_WORKSPACE_URL: 'https://adb-2.2.azuredatabricks.net',
  BRICKLANE_QA_DATABRICKS_TOKEN: 'dapi-test',
  BRICKLANE_LEDGER_CONNECTION: 'UseDevelopmentStorage=true',
  BRICKLANE_PUBLIC_URL: PUBLIC_URL,
  BRICKLANE_GITHUB_WEBHOOK_SECRET: SECRET,
  // Another spelling than the payload's on purpose (GitHub names are case-insensitive), and a list.
  BRICKLANE_GITHUB_REPOSITORY: 'contoso/etl, codertocat/hello-world',
};

let durable: FakeDurableApi;
/** Every log line of the file's deliveries. */
const logs: string[] = [];

const sign = (body: Buffer, secret = SECRET): string =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

interface Delivery {
  event?: string;
  body: Buffer;
  headers?: Record<string, string>;
  /** Headers to leave out. */
  without?: string[];
}

/** The headers GitHub sends with a delivery (docs: "Webhook events and payloads", delivery headers). */
function deliveryHeaders(event: string, body: Buffer): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/044aadd',
    'x-github-event': event,
    'x-github-delivery': randomUUID(),
    'x-github-hook-id': '292430182',
    'x-hub-signature-256': sign(body),
  };
}

async function deliver({
  event = 'push',
  body,
  headers = {},
  without = [],
}: Delivery): Promise<HttpResponseInit> {
  const all = { ...deliveryHeaders(event, body), ...headers };
  const request = new HttpRequest({
    method: 'POST',
    url: `${PUBLIC_URL}/api/webhooks/github`,
    headers: Object.fromEntries(Object.entries(all).filter(([name]) => !without.includes(name))),
    body: { bytes: body },
  });
  const context = new InvocationContext({
    functionName: 'githubWebhook',
    options: { extraInputs: githubWebhookOptions.extraInputs ?? [] },
    logHandler: (_level, ...args) => logs.push(args.map(String).join(' ')),
  });
  const binding = githubWebhookOptions.extraInputs?.[0];
  if (!binding) throw new Error('githubWebhook has no durable client input');
  context.extraInputs.set(binding, durable.clientData);
  return githubWebhook(request, context);
}

const json = (payload: unknown): Buffer => Buffer.from(JSON.stringify(payload));

/** The real branch-push example, moved to the release branch and to a commit of our own. */
function pushToMain(commit = '6113728f27ae82c7b1a177c8d03f9e96e0adf246'): Record<string, unknown> {
  const payload = branchPushExample();
  payload.ref = 'refs/heads/main';
  payload.after = commit;
  return payload;
}

function expectedRelease(commit: string): { releaseId: string; statusUrl: string } {
  const input = releaseInputFor(loadSettings(ENV), {
    fetch: { kind: 'github', repository: 'Codertocat/Hello-World', commit },
    source: { kind: 'github', commit },
  });
  return { releaseId: input.releaseId, statusUrl: `${PUBLIC_URL}/api/releases/${input.releaseId}` };
}

let azurite: Azurite;

beforeAll(async () => {
  [durable, azurite] = await Promise.all([FakeDurableApi.start(), Azurite.start()]);
  // A release's start writes its first audit record (beginRelease): the trail lives beside the ledger.
  Object.assign(process.env, ENV, { BRICKLANE_LEDGER_CONNECTION: azurite.connectionString });
});

afterAll(async () => {
  await durable?.stop();
  await azurite?.stop();
});

describe('POST /api/webhooks/github', () => {
  it('is registered anonymous on webhooks/github for POST, with the durable client', () => {
    expect(githubWebhookOptions).toMatchObject({
      route: 'webhooks/github',
      methods: ['POST'],
      authLevel: 'anonymous',
      handler: githubWebhook,
    });
    expect(githubWebhookOptions.extraInputs).toHaveLength(1);
  });

  it('starts a release for a signed push to main (202), and a redelivery starts nothing (200)', async () => {
    const commit = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
    const body = json(pushToMain(commit));
    const expected = expectedRelease(commit);

    const first = await deliver({ body });
    expect(first.status).toBe(202);
    expect(first.jsonBody).toEqual({
      releaseId: expected.releaseId,
      started: true,
      statusUrl: expected.statusUrl,
    });
    expect(first.headers).toEqual({ location: expected.statusUrl });

    const started = durable.starts.filter((s) => s.instanceId === expected.releaseId);
    expect(started).toHaveLength(1);
    expect(started[0]).toEqual({
      orchestrator: 'deployRelease',
      instanceId: expected.releaseId,
      input: {
        releaseId: expected.releaseId,
        bundleId: '',
        fetch: { kind: 'github', repository: 'Codertocat/Hello-World', commit },
        source: {
          kind: 'github',
          commit,
          ref: 'refs/heads/main',
          repository: 'Codertocat/Hello-World',
          requestedBy: 'Codertocat',
        },
        environments: ['dev', 'qa'],
        approvals: {
          dev: { required: false, timeoutInHours: 72 },
          // QA is the last environment here: its pusher may not approve (BRICKLANE_<ENV>_ALLOW_SELF_APPROVAL).
          qa: { required: true, timeoutInHours: 72, noSelfApproval: true },
        },
      },
    });

    // GitHub redelivers the same body with a new delivery id.
    const again = await deliver({ body });
    expect(again.status).toBe(200);
    expect(again.jsonBody).toEqual({
      releaseId: expected.releaseId,
      started: false,
      statusUrl: expected.statusUrl,
    });
    expect(durable.starts.filter((s) => s.instanceId === expected.releaseId)).toHaveLength(1);
  });

  it('answers a ping with 200 and its zen', async () => {
    const response = await deliver({ event: 'ping', body: json(pingExample()) });
    expect(response.status).toBe(200);
    expect(response.jsonBody).toEqual({ ok: true, zen: 'Anything added dilutes everything else.' });
  });

  const ignoredCases: { name: string; payload: () => Record<string, unknown>; reason: string }[] = [
    {
      name: 'a push to another branch (the real example, refs/heads/master)',
      payload: branchPushExample,
      reason: 'push to branch master: only pushes to branch main deploy',
    },
    {
      name: 'a tag push (the real example, refs/tags/simple-tag)',
      payload: tagPushExample,
      reason: 'push of tag simple-tag: only pushes to branch main deploy',
    },
    {
      name: 'the deletion of main',
      payload: () => ({ ...deletionExample(), ref: 'refs/heads/main' }),
      reason: 'branch main was deleted: nothing to deploy',
    },
    {
      name: 'a push to main without a head commit',
      payload: () => ({ ...pushToMain(), after: '0000000000000000000000000000000000000000' }),
      reason: 'push to branch main has no head commit: nothing to deploy',
    },
  ];
  it.each(ignoredCases)('acknowledges and ignores $name (202)', async ({ payload, reason }) => {
    const before = durable.starts.length;
    const response = await deliver({ body: json(payload()) });
    expect(response.status).toBe(202);
    expect(response.jsonBody).toEqual({ ignored: true, reason });
    expect(durable.starts.length).toBe(before);
  });

  it('ignores events other than push and ping (202)', async () => {
    const response = await deliver({ event: 'issues', body: json({ action: 'opened' }) });
    expect(response.status).toBe(202);
    expect(response.jsonBody).toEqual({
      ignored: true,
      reason: 'event issues is not handled: only push events start releases (select "Just the push event")',
    });
  });

  const mismatch = {
    error:
      "X-Hub-Signature-256 does not match: the webhook's secret differs from BRICKLANE_GITHUB_WEBHOOK_SECRET, " +
      'or the body was altered on the way',
  };

  it('refuses a body altered by one byte after signing (401)', async () => {
    const body = json(pushToMain());
    const signature = sign(body);
    const tampered = Buffer.from(body);
    const at = tampered.indexOf('6113728f');
    tampered[at] = '7'.charCodeAt(0);
    const response = await deliver({ body: tampered, headers: { 'x-hub-signature-256': signature } });
    expect(response.status).toBe(401);
    expect(response.jsonBody).toEqual(mismatch);
  });

  it('refuses a delivery signed with another secret (401)', async () => {
    const body = json(pushToMain());
    const response = await deliver({
      body,
      headers: { 'x-hub-signature-256': sign(body, 'not-the-secret') },
    });
    expect(response.status).toBe(401);
    expect(response.jsonBody).toEqual(mismatch);
  });

  it('refuses a body that is not UTF-8, even signed (401)', async () => {
    const body = Buffer.concat([
      json(pushToMain()).subarray(0, 20),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('}'),
    ]);
    const response = await deliver({ body });
    expect(response.status).toBe(401);
    expect(response.jsonBody).toEqual(mismatch);
  });

  it('refuses a delivery without a signature header before reading the body (400)', async () => {
    const response = await deliver({ body: json(pushToMain()), without: ['x-hub-signature-256'] });
    expect(response.status).toBe(400);
    expect(response.jsonBody).toEqual({
      error:
        'missing header(s) x-hub-signature-256: this route takes GitHub webhook deliveries signed with a secret',
    });
  });

  it('refuses a delivery without event and delivery headers (400)', async () => {
    const response = await deliver({
      body: json(pushToMain()),
      without: ['x-github-event', 'x-github-delivery'],
    });
    expect(response.status).toBe(400);
    expect(response.jsonBody).toEqual({
      error:
        'missing header(s) x-github-event, x-github-delivery: this route takes GitHub webhook deliveries signed with a secret',
    });
  });

  it('refuses the form-encoded content type (GitHub’s default) with how to fix it (415)', async () => {
    const body = Buffer.from(`payload=${encodeURIComponent(JSON.stringify(pushToMain()))}`);
    const response = await deliver({
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response.status).toBe(415);
    expect(response.jsonBody).toEqual({
      error:
        "content type application/x-www-form-urlencoded is not application/json: set the webhook's Content type to " +
        'application/json (repository Settings → Webhooks → Edit)',
    });
  });

  it('refuses a payload over 1 MB by its Content-Length (413)', async () => {
    const body = json(pushToMain());
    const response = await deliver({ body, headers: { 'content-length': String(1024 * 1024 + 1) } });
    expect(response.status).toBe(413);
    expect(response.jsonBody).toEqual({ error: 'payload over 1048576 bytes' });
  });

  it('refuses a payload over 1 MB by the bytes read when no length is declared (413)', async () => {
    const payload = pushToMain();
    payload.padding = 'x'.repeat(1024 * 1024);
    const response = await deliver({ body: json(payload) });
    expect(response.status).toBe(413);
    expect(response.jsonBody).toEqual({ error: 'payload over 1048576 bytes' });
  });

  it('accepts application/json with a charset parameter', async () => {
    const response = await deliver({
      body: json(branchPushExample()),
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(response.status).toBe(202);
  });

  it('answers 503 when the release cannot be started, so GitHub shows a failed delivery', async () => {
    durable.startFaults.push(500);
    const response = await deliver({ body: json(pushToMain('bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb')) });
    expect(response.status).toBe(503);
    expect(response.jsonBody).toEqual({
      error:
        "the release could not be started just now; redeliver the event from the webhook's Recent Deliveries",
    });
  });

  it('answers the existing release when a concurrent delivery of the same push started it first', async () => {
    durable.loseNextStartRace = true;
    const startsBefore = durable.starts.length;
    const response = await deliver({ body: json(pushToMain('cccccccccccccccccccccccccccccccccccccccc')) });
    expect(response.status).toBe(200);
    expect(response.jsonBody).toMatchObject({ started: false });
    expect(durable.starts.length).toBe(startsBefore);
  });

  it('refuses a signed push from a repository not in BRICKLANE_GITHUB_REPOSITORY and starts nothing (403)', async () => {
    // The real example as an organization-level webhook delivers it for another repository of the owner.
    const payload = pushToMain('f00dfacef00dfacef00dfacef00dfacef00dface');
    const repository = payload.repository as { full_name: string; name: string };
    repository.full_name = 'Codertocat/Other-Repo';
    repository.name = 'Other-Repo';
    const before = durable.starts.length;
    const response = await deliver({ body: json(payload) });
    expect(response.status).toBe(403);
    expect(response.jsonBody).toEqual({
      error:
        'the push comes from repository Codertocat/Other-Repo, not from contoso/etl, codertocat/hello-world ' +
        '(BRICKLANE_GITHUB_REPOSITORY): nothing was started',
    });
    expect(durable.starts.length).toBe(before);
  });

  it('refuses a push from another repository even to another branch (403, not ignored)', async () => {
    const payload = branchPushExample();
    (payload.repository as { full_name: string }).full_name = 'mallory/Hello-World';
    const response = await deliver({ body: json(payload) });
    expect(response.status).toBe(403);
  });

  it('never logs the secret', () => {
    expect(logs.length).toBeGreaterThan(5);
    expect(logs.join('\n')).not.toContain(SECRET);
  });
});

describe('POST /api/webhooks/github without a configured secret', () => {
  beforeAll(() => {
    delete process.env.BRICKLANE_GITHUB_WEBHOOK_SECRET;
  });
  afterAll(() => {
    process.env.BRICKLANE_GITHUB_WEBHOOK_SECRET = SECRET;
  });

  it('answers 503 with the setting to set', async () => {
    const response = await deliver({ body: json(pushToMain()) });
    expect(response.status).toBe(503);
    expect(response.jsonBody).toEqual({
      error:
        'the GitHub webhook secret is not configured: set the app setting BRICKLANE_GITHUB_WEBHOOK_SECRET to ' +
        "the webhook's secret (in Azure, a Key Vault reference)",
    });
  });
});

describe('POST /api/webhooks/github with a secret but no BRICKLANE_GITHUB_REPOSITORY', () => {
  beforeAll(() => {
    delete process.env.BRICKLANE_GITHUB_REPOSITORY;
  });
  afterAll(() => {
    process.env.BRICKLANE_GITHUB_REPOSITORY = ENV.BRICKLANE_GITHUB_REPOSITORY;
  });

  it('refuses to run (500), starts nothing, and the log names the setting', async () => {
    expect(() => loadSettings({ ...ENV, BRICKLANE_GITHUB_REPOSITORY: '' })).toThrow(
      /BRICKLANE_GITHUB_REPOSITORY must be set once BRICKLANE_GITHUB_WEBHOOK_SECRET is/,
    );
    const before = durable.starts.length;
    const response = await deliver({ body: json(pushToMain()) });
    expect(response.status).toBe(500);
    expect(durable.starts.length).toBe(before);
    expect(logs.at(-1)).toContain('BRICKLANE_GITHUB_REPOSITORY must be set');
  });

  it('refuses a repository setting that is not owner/name', () => {
    expect(() =>
      loadSettings({ ...ENV, BRICKLANE_GITHUB_REPOSITORY: 'contoso/etl,https://github.com/x/y' }),
    ).toThrow('BRICKLANE_GITHUB_REPOSITORY must be owner/name[,owner/name...], got "https://github.com/x/y"');
  });
});
