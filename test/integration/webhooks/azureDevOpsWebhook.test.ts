// The Azure Repos service hook called as the Functions host calls it, with Microsoft's documented git.push
// payload (test/fixtures/webhooks/azure-devops-git.push.json) and the durable client bound to a fake
// extension that records starts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/config/loadSettings';
import { releaseInputFor } from '../../../src/release/releaseInputFor';
import { azureDevOpsWebhook, azureDevOpsWebhookOptions } from '../../../src/functions/azureDevOpsWebhook';
import { Azurite } from '../../emulator/Azurite';
import { FakeDurableApi } from '../../emulator/FakeDurableApi';

const PUBLIC_URL = 'https://bricklane.example.net';
const ORGANIZATION = 'https://dev.azure.com/fabrikam-fiber-inc';
const USER = 'bricklane-hook';
const PASSWORD = 'hook-password-5f0c9a';
const ENV = {
  BRICKLANE_ENVIRONMENTS: 'dev',
  BRICKLANE_DEV_DATABRICKS_AUTH: 'token',
  BRICKLANE_DEV_WORKSPACE_URL: 'https://adb-1.1.azuredatabricks.net',
  BRICKLANE_DEV_DATABRICKS_TOKEN: 'dapi-test',
  BRICKLANE_LEDGER_CONNECTION: 'UseDevelopmentStorage=true',
  BRICKLANE_PUBLIC_URL: PUBLIC_URL,
  BRICKLANE_AZURE_DEVOPS_HOOK_USERNAME: USER,
  BRICKLANE_AZURE_DEVOPS_HOOK_PASSWORD: PASSWORD,
  // Trailing slash and capitals on purpose: compared case-insensitively, slash-tolerant.
  BRICKLANE_AZURE_DEVOPS_ORGANIZATION_URL: 'https://dev.azure.com/Fabrikam-Fiber-Inc/',
};
const FIXTURE = join(__dirname, '..', '..', 'fixtures', 'webhooks', 'azure-devops-git.push.json');
const COMMIT = '33b55f7cb7e7e245323987634f960cf4a6e6bc74';
const REPOSITORY_ID = '278d5cd2-584d-4b63-824a-2ba458937249';
const PROJECT_ID = '6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c';

let durable: FakeDurableApi;
const logs: string[] = [];

type Payload = {
  eventType: string;
  resource: { refUpdates: { name: string; oldObjectId: string; newObjectId: string }[] };
  resourceContainers: Record<string, { id: string; baseUrl?: string }>;
} & Record<string, unknown>;

const gitPush = (): Payload => JSON.parse(readFileSync(FIXTURE, 'utf8')) as Payload;
const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

interface Notification {
  body: Buffer;
  headers?: Record<string, string>;
  without?: string[];
}

async function notify({ body, headers = {}, without = [] }: Notification): Promise<HttpResponseInit> {
  // What a Web Hooks service hook with Basic authentication sends.
  const all: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    authorization: basic(USER, PASSWORD),
    ...headers,
  };
  const request = new HttpRequest({
    method: 'POST',
    url: `${PUBLIC_URL}/api/webhooks/azure-devops`,
    headers: Object.fromEntries(Object.entries(all).filter(([name]) => !without.includes(name))),
    body: { bytes: body },
  });
  const context = new InvocationContext({
    functionName: 'azureDevOpsWebhook',
    options: { extraInputs: azureDevOpsWebhookOptions.extraInputs ?? [] },
    logHandler: (_level, ...args) => logs.push(args.map(String).join(' ')),
  });
  const binding = azureDevOpsWebhookOptions.extraInputs?.[0];
  if (!binding) throw new Error('azureDevOpsWebhook has no durable client input');
  context.extraInputs.set(binding, durable.clientData);
  return azureDevOpsWebhook(request, context);
}

const json = (payload: unknown): Buffer => Buffer.from(JSON.stringify(payload));

function expectedRelease(commit: string): { releaseId: string; statusUrl: string } {
  const input = releaseInputFor(loadSettings(ENV), {
    fetch: {
      kind: 'azureRepos',
      organizationUrl: ORGANIZATION,
      project: PROJECT_ID,
      repositoryId: REPOSITORY_ID,
      commit,
    },
    source: { kind: 'azureRepos', commit },
  });
  return { releaseId: input.releaseId, statusUrl: `${PUBLIC_URL}/api/releases/${input.releaseId}` };
}

const unauthorized = {
  status: 401,
  jsonBody: {
    error:
      "Basic authentication failed: set the service hook's user name and password to the values of " +
      'BRICKLANE_AZURE_DEVOPS_HOOK_USERNAME and BRICKLANE_AZURE_DEVOPS_HOOK_PASSWORD',
  },
  headers: { 'WWW-Authenticate': 'Basic realm="bricklane", charset="UTF-8"' },
};

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

describe('POST /api/webhooks/azure-devops', () => {
  it('is registered anonymous on webhooks/azure-devops for POST, with the durable client', () => {
    expect(azureDevOpsWebhookOptions).toMatchObject({
      route: 'webhooks/azure-devops',
      methods: ['POST'],
      authLevel: 'anonymous',
      handler: azureDevOpsWebhook,
    });
    expect(azureDevOpsWebhookOptions.extraInputs).toHaveLength(1);
  });

  it('starts a release for a push to main (202), fetching from the configured organization', async () => {
    const expected = expectedRelease(COMMIT);
    const response = await notify({ body: json(gitPush()) });
    expect(response.status).toBe(202);
    expect(response.jsonBody).toEqual({
      releaseId: expected.releaseId,
      started: true,
      statusUrl: expected.statusUrl,
    });
    const started = durable.starts.filter((s) => s.instanceId === expected.releaseId);
    expect(started).toHaveLength(1);
    expect(started[0]?.input).toEqual({
      releaseId: expected.releaseId,
      bundleId: '',
      fetch: {
        kind: 'azureRepos',
        // The setting (normalized), never the payload's URL.
        organizationUrl: ORGANIZATION.replace('fabrikam-fiber-inc', 'Fabrikam-Fiber-Inc'),
        // The project's GUID from the payload, not its name (issue 10: ids over names in URLs).
        project: PROJECT_ID,
        repositoryId: REPOSITORY_ID,
        commit: COMMIT,
      },
      source: {
        kind: 'azureRepos',
        commit: COMMIT,
        ref: 'refs/heads/main',
        repository: 'Fabrikam-Fiber-Git/Fabrikam-Fiber-Git',
        requestedBy: 'Windows Live ID\\fabrikamfiber4@hotmail.com',
      },
      environments: ['dev'],
      approvals: { dev: { required: false, timeoutInHours: 72 } },
    });
  });

  it('answers a resent notification with the same release and starts nothing (200)', async () => {
    const expected = expectedRelease(COMMIT);
    const before = durable.starts.length;
    const response = await notify({ body: json(gitPush()) });
    expect(response.status).toBe(200);
    expect(response.jsonBody).toEqual({
      releaseId: expected.releaseId,
      started: false,
      statusUrl: expected.statusUrl,
    });
    expect(durable.starts.length).toBe(before);
  });

  it('refuses a wrong password (401, with a Basic challenge)', async () => {
    const response = await notify({
      body: json(gitPush()),
      headers: { authorization: basic(USER, 'wrong') },
    });
    expect(response).toEqual(unauthorized);
  });

  it('refuses a wrong user name (401)', async () => {
    const response = await notify({
      body: json(gitPush()),
      headers: { authorization: basic('someone', PASSWORD) },
    });
    expect(response).toEqual(unauthorized);
  });

  it('refuses a notification without credentials (401)', async () => {
    const response = await notify({ body: json(gitPush()), without: ['authorization'] });
    expect(response).toEqual(unauthorized);
  });

  it('refuses a bearer token in place of Basic credentials (401)', async () => {
    const response = await notify({
      body: json(gitPush()),
      headers: { authorization: `Bearer ${PASSWORD}` },
    });
    expect(response).toEqual(unauthorized);
  });

  it('ignores a push to another branch (202)', async () => {
    const payload = gitPush();
    payload.resource.refUpdates = payload.resource.refUpdates.map((u) => ({
      ...u,
      name: 'refs/heads/feature/login',
    }));
    const response = await notify({ body: json(payload) });
    expect(response.status).toBe(202);
    expect(response.jsonBody).toEqual({
      ignored: true,
      reason: 'push to refs/heads/feature/login: only pushes to branch main deploy',
    });
  });

  it('ignores the deletion of main (202)', async () => {
    const payload = gitPush();
    payload.resource.refUpdates = [
      {
        name: 'refs/heads/main',
        oldObjectId: COMMIT,
        newObjectId: '0000000000000000000000000000000000000000',
      },
    ];
    const response = await notify({ body: json(payload) });
    expect(response.status).toBe(202);
    expect(response.jsonBody).toEqual({
      ignored: true,
      reason: 'branch main was deleted: nothing to deploy',
    });
  });

  it('ignores events other than git.push (202)', async () => {
    const payload = { ...gitPush(), eventType: 'git.pullrequest.created' };
    const response = await notify({ body: json(payload) });
    expect(response.status).toBe(202);
    expect(response.jsonBody).toEqual({
      ignored: true,
      reason: 'event git.pullrequest.created is not git.push: subscribe the service hook to "Code pushed"',
    });
  });

  it('refuses a push from another organization, even with good credentials (403)', async () => {
    const before = durable.starts.length;
    const payload = gitPush();
    for (const container of Object.values(payload.resourceContainers)) {
      container.baseUrl = 'https://dev.azure.com/contoso-evil/';
    }
    const response = await notify({ body: json(payload) });
    expect(response.status).toBe(403);
    expect(response.jsonBody).toEqual({
      error:
        'the push comes from https://dev.azure.com/contoso-evil, not from the configured organization ' +
        'https://dev.azure.com/Fabrikam-Fiber-Inc (BRICKLANE_AZURE_DEVOPS_ORGANIZATION_URL)',
    });
    expect(durable.starts.length).toBe(before);
  });

  it('refuses a payload whose repository URL names another organization (403)', async () => {
    const payload = gitPush() as Payload & { resource: { repository: { url: string } } };
    payload.resource.repository.url = `https://dev.azure.com/fabrikam-fiber-inc-2/_apis/git/repositories/${REPOSITORY_ID}`;
    const response = await notify({ body: json(payload) });
    expect(response.status).toBe(403);
  });

  it('refuses form content (415) and oversize payloads (413)', async () => {
    const form = await notify({ body: json(gitPush()), headers: { 'content-type': 'text/plain' } });
    expect(form.status).toBe(415);
    expect(form.jsonBody).toEqual({
      error:
        'content type text/plain is not application/json: use the Web Hooks service hook, which posts JSON',
    });
    const big = await notify({ body: json({ ...gitPush(), padding: 'x'.repeat(1024 * 1024) }) });
    expect(big.status).toBe(413);
    expect(big.jsonBody).toEqual({ error: 'payload over 1048576 bytes' });
  });

  it('refuses a malformed git.push (400)', async () => {
    const payload = gitPush() as Payload & { resource: { repository: { id: string } } };
    payload.resource.repository.id = '../../other';
    const response = await notify({ body: json(payload) });
    expect(response.status).toBe(400);
    expect(response.jsonBody).toEqual({
      error: 'not an Azure Repos git.push payload: resource.repository.id: must be a repository id (a GUID)',
    });
  });

  it('refuses a project "https:" with a repository "//evil.example/_git/x" and starts nothing (400)', async () => {
    const payload = gitPush() as Payload & {
      resource: { repository: { name: string; project: { name: string } } };
    };
    payload.resource.repository.project.name = 'https:';
    payload.resource.repository.name = '//evil.example/_git/x';
    const before = durable.starts.length;
    const response = await notify({ body: json(payload) });
    expect(response.status).toBe(400);
    expect(String((response.jsonBody as { error: string }).error)).toMatch(
      /^resource\.repository\.project\.name: "https:" must not contain/,
    );
    expect(durable.starts.length).toBe(before);
  });

  it('never logs the hook password', () => {
    expect(logs.length).toBeGreaterThan(3);
    expect(logs.join('\n')).not.toContain(PASSWORD);
  });
});

describe('POST /api/webhooks/azure-devops without hook credentials configured', () => {
  beforeAll(() => {
    delete process.env.BRICKLANE_AZURE_DEVOPS_HOOK_PASSWORD;
  });
  afterAll(() => {
    process.env.BRICKLANE_AZURE_DEVOPS_HOOK_PASSWORD = PASSWORD;
  });

  it('answers 503 with the settings to set', async () => {
    const response = await notify({ body: json(gitPush()) });
    expect(response.status).toBe(503);
    expect(response.jsonBody).toEqual({
      error:
        'the Azure Repos service hook is not configured: set BRICKLANE_AZURE_DEVOPS_HOOK_USERNAME, ' +
        "BRICKLANE_AZURE_DEVOPS_HOOK_PASSWORD (the same as in the service hook's Basic authentication) and " +
        'BRICKLANE_AZURE_DEVOPS_ORGANIZATION_URL (https://dev.azure.com/<organization>)',
    });
  });
});
