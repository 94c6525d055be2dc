// Test infrastructure: starts a sandbox release the way the outside world does: a signed GitHub push, an
// Azure Repos service hook, or an upload to the bundles container (Event Grid → blob trigger).
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { create as createTar } from 'tar';
import { bundleIdOf } from '../../src/sources/bundleIdOf';
import { digestFolder } from '../../src/sources/digestFolder';
import { SourceHostEmulator } from '../emulator/SourceHostEmulator';
import type { LocalWorld } from './LocalWorld';
import type { SandboxApp } from './SandboxApp';

export type TriggerKind = 'github' | 'azure-repos' | 'upload';

export const REPOSITORY = 'contoso/lakehouse';
const WEBHOOK_SECRET = 'sandbox-github-webhook-secret';
const HOOK = { user: 'bricklane-hook', password: 'sandbox-service-hook-password' };
const ADO_FIXTURE = resolve(__dirname, '..', 'fixtures', 'webhooks', 'azure-devops-git.push.json');

/** The emulated source hosts and the app settings that point the app at them. */
export async function startSourceHosts(
  bundleDir: string,
): Promise<{ sources: SourceHostEmulator; commit: string; settings: Record<string, string> }> {
  // The commit is named after the bundle's content, so the same folder pushed twice is one release.
  const commit = bundleIdOf(await digestFolder(bundleDir)).slice(0, 40);
  const sources = await SourceHostEmulator.start();
  sources.addGitHubRepo(REPOSITORY, { commits: { [commit]: { artifacts: { dir: bundleDir } } } });
  const ado = adoPayload();
  sources.addAzureRepo({
    organization: 'fabrikam',
    project: ado.resource.repository.project.name,
    // The webhook fetches by the project's GUID when the payload carries it.
    projectId: ado.resource.repository.project.id,
    repositoryId: ado.resource.repository.id,
    name: ado.resource.repository.name,
    commits: { [commit]: { artifacts: { dir: bundleDir } } },
  });
  return {
    sources,
    commit,
    settings: {
      BRICKLANE_GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET,
      BRICKLANE_GITHUB_REPOSITORY: REPOSITORY,
      BRICKLANE_GITHUB_API_URL: sources.githubApiUrl,
      BRICKLANE_AZURE_DEVOPS_ORGANIZATION_URL: sources.organizationUrl('fabrikam'),
      BRICKLANE_AZURE_DEVOPS_HOOK_USERNAME: HOOK.user,
      BRICKLANE_AZURE_DEVOPS_HOOK_PASSWORD: HOOK.password,
    },
  };
}

/** Sends the push (or uploads the bundle) and returns the release it started. */
export async function triggerRelease(
  kind: TriggerKind,
  app: SandboxApp,
  world: LocalWorld,
  sources: SourceHostEmulator,
  commit: string,
  bundleDir: string,
): Promise<string> {
  if (kind === 'github') {
    const push = signedGitHubPush(commit, commit.slice(0, 32));
    const answer = await fetch(`${app.url}/api/webhooks/github`, { method: 'POST', ...push });
    return releaseIdOf(answer);
  }
  if (kind === 'azure-repos') {
    const payload = adoPayload();
    const organization = sources.organizationUrl('fabrikam');
    for (const container of Object.values(payload.resourceContainers)) container.baseUrl = `${organization}/`;
    payload.resource.repository.url = `${organization}/_apis/git/repositories/${payload.resource.repository.id}`;
    for (const update of payload.resource.refUpdates)
      if (update.name === 'refs/heads/main') update.newObjectId = commit;
    const answer = await fetch(`${app.url}/api/webhooks/azure-devops`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${HOOK.user}:${HOOK.password}`).toString('base64')}`,
      },
      body: JSON.stringify(payload),
    });
    return releaseIdOf(answer);
  }
  const dir = mkdtempSync(join(tmpdir(), 'bricklane-upload-'));
  try {
    const archive = join(dir, 'bundle.tar.gz');
    await createTar({ gzip: true, cwd: bundleDir, file: archive, portable: true }, ['.']);
    const container = BlobServiceClient.fromConnectionString(
      world.azurite.connectionString,
    ).getContainerClient('bundles');
    await container.createIfNotExists();
    await container.getBlockBlobClient(`upload-${commit.slice(0, 12)}.tar.gz`).uploadFile(archive, {
      metadata: { commit, ref: 'refs/heads/main', requestedby: 'sandbox' },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { json } = await app.call('GET', 'releases');
    const found = (
      json as { releases: { releaseId: string; source?: { kind?: string; commit?: string } }[] }
    ).releases.find((r) => r.source?.kind === 'upload' && r.source.commit === commit);
    if (found) return found.releaseId;
    if (Date.now() > deadline) throw new Error('the upload started no release (see the host log)');
    await new Promise((done) => setTimeout(done, 200));
  }
}

/**
 * A GitHub `push` delivery of `commit` to main, signed with the sandbox's webhook secret as GitHub signs it
 * (HMAC-SHA256 of the raw body in X-Hub-Signature-256). GitHub sends a redelivery with the same GUID.
 */
export function signedGitHubPush(
  commit: string,
  delivery: string,
): { headers: Record<string, string>; body: Buffer } {
  const body = Buffer.from(
    JSON.stringify({
      ref: 'refs/heads/main',
      before: '0'.repeat(40),
      after: commit,
      created: false,
      deleted: false,
      forced: false,
      repository: { full_name: REPOSITORY, name: 'lakehouse', owner: { login: 'contoso' } },
      pusher: { name: 'sandbox-user', email: 'sandbox@example.com' },
      sender: { login: 'sandbox-user' },
      head_commit: { id: commit, message: 'Deploy from the sandbox' },
      commits: [],
    }),
  );
  return {
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': delivery,
      'x-hub-signature-256': `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`,
    },
    body,
  };
}

async function releaseIdOf(answer: Response): Promise<string> {
  const body = (await answer.json()) as { releaseId?: string; error?: string; reason?: string };
  if (!body.releaseId)
    throw new Error(`the webhook started no release (${answer.status}): ${JSON.stringify(body)}`);
  return body.releaseId;
}

interface AdoPayload {
  resource: {
    refUpdates: { name: string; newObjectId: string }[];
    repository: { id: string; name: string; url: string; project: { id: string; name: string } };
  };
  resourceContainers: Record<string, { baseUrl?: string }>;
}

function adoPayload(): AdoPayload {
  return JSON.parse(readFileSync(ADO_FIXTURE, 'utf8')) as AdoPayload;
}
