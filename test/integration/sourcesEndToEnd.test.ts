// The three ways the outside world starts a release, end to end in the sandbox: a signed GitHub push,
// an Azure Repos service hook, and a bundle uploaded to the bundles container. Each one deploys Dev.
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { create as createTar } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxApp } from '../sandbox/SandboxApp';
import { LocalWorld } from '../sandbox/LocalWorld';
import { SourceHostEmulator } from '../emulator/SourceHostEmulator';
import { branchPushExample } from '../fixtures/webhooks/githubExamples';
import adoPush from '../fixtures/webhooks/azure-devops-git.push.json';

const ARTIFACTS = resolve(__dirname, '..', '..', 'artifacts');
const SECRET = 'github-webhook-secret-for-the-sandbox';
const HOOK = { user: 'bricklane-hook', password: 'service-hook-password-0123456789' };
const GITHUB_COMMIT = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const ADO_COMMIT = 'b2c3d4e5f60718293a4b5c6d7e8f901234567890';

interface Release {
  runtimeStatus: string;
  state: string;
  source: { kind: string; commit?: string };
  stages: { environment: string; state: string }[];
}

describe('releases started by pushes and uploads', () => {
  let world: LocalWorld;
  let sources: SourceHostEmulator;
  let app: SandboxApp;

  beforeAll(async () => {
    world = await LocalWorld.start({ environments: ['dev'] });
    sources = await SourceHostEmulator.start();
    sources.addGitHubRepo('contoso/lakehouse', {
      commits: { [GITHUB_COMMIT]: { artifacts: { dir: ARTIFACTS } } },
    });
    const repository = (
      adoPush as { resource: { repository: { id: string; name: string; project: { name: string } } } }
    ).resource.repository;
    sources.addAzureRepo({
      organization: 'fabrikam',
      project: repository.project.name,
      repositoryId: repository.id,
      name: repository.name,
      commits: { [ADO_COMMIT]: { artifacts: { dir: ARTIFACTS }, 'README.md': '# lakehouse\n' } },
    });
    app = await SandboxApp.start(world, {
      settings: {
        BRICKLANE_GITHUB_WEBHOOK_SECRET: SECRET,
        BRICKLANE_GITHUB_API_URL: sources.githubApiUrl,
        BRICKLANE_AZURE_DEVOPS_ORGANIZATION_URL: sources.organizationUrl('fabrikam'),
        BRICKLANE_AZURE_DEVOPS_HOOK_USERNAME: HOOK.user,
        BRICKLANE_AZURE_DEVOPS_HOOK_PASSWORD: HOOK.password,
      },
    });
  });
  afterAll(async () => {
    await app?.stop();
    await sources?.stop();
    await world?.stop();
  });

  const finished = async (releaseId: string): Promise<Release> => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const r = (await app.call('GET', `releases/${releaseId}`)).json as Release;
      if (['Completed', 'Failed', 'Terminated'].includes(r.runtimeStatus)) return r;
      if (Date.now() > deadline) throw new Error(`release ${releaseId} did not finish: ${JSON.stringify(r)}`);
      await new Promise((done) => setTimeout(done, 200));
    }
  };
  const devNotebookCount = (): number =>
    Object.keys(world.emulator.snapshot(world.workspaceName('dev') ?? '').notebooks).length;

  it('deploys Dev from a signed GitHub push to main', async () => {
    const payload = branchPushExample() as Record<string, unknown> & { repository: Record<string, unknown> };
    payload.ref = 'refs/heads/main';
    payload.after = GITHUB_COMMIT;
    payload.deleted = false;
    payload.repository = { ...payload.repository, full_name: 'contoso/lakehouse', name: 'lakehouse' };
    const body = Buffer.from(JSON.stringify(payload));
    const answer = await fetch(`${app.url}/api/webhooks/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
        'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
      },
      body,
    });
    expect(answer.status).toBe(202);
    const { releaseId } = (await answer.json()) as { releaseId: string };
    const release = await finished(releaseId);
    expect(release).toMatchObject({ state: 'succeeded', source: { kind: 'github', commit: GITHUB_COMMIT } });
    expect(devNotebookCount()).toBe(6);
    expect(sources.countersOf('github').total).toBeGreaterThan(0);
  });

  it('deploys Dev from an Azure Repos git.push service hook', async () => {
    const payload = structuredClone(adoPush) as {
      resource: {
        refUpdates: { name: string; newObjectId: string }[];
        repository: { id: string; url: string };
      };
      resourceContainers: Record<string, { id: string; baseUrl?: string }>;
    };
    // The hook comes from the organization the app is configured for (here: the emulated one).
    const organization = sources.organizationUrl('fabrikam');
    for (const container of Object.values(payload.resourceContainers)) {
      if (container.baseUrl) container.baseUrl = `${organization}/`;
    }
    payload.resource.repository.url = `${organization}/_apis/git/repositories/${payload.resource.repository.id}`;
    const update = payload.resource.refUpdates.find((u) => u.name === 'refs/heads/main');
    if (!update) throw new Error('fixture has no refs/heads/main update');
    update.newObjectId = ADO_COMMIT;
    const answer = await fetch(`${app.url}/api/webhooks/azure-devops`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${HOOK.user}:${HOOK.password}`).toString('base64')}`,
      },
      body: JSON.stringify(payload),
    });
    expect(answer.status).toBe(202);
    const { releaseId } = (await answer.json()) as { releaseId: string };
    const release = await finished(releaseId);
    expect(release).toMatchObject({ state: 'succeeded', source: { kind: 'azureRepos', commit: ADO_COMMIT } });
    // The app identity fetched the zip with its Entra token for Azure DevOps.
    expect(
      sources
        .requestsTo('azureDevOps')
        .some((r) => r.authorization?.startsWith('Bearer ') && r.status === 200),
    ).toBe(true);
  });

  it('deploys Dev from a bundle uploaded to the bundles container', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bricklane-upload-'));
    try {
      const archive = join(dir, 'bundle.tar.gz');
      await createTar({ gzip: true, cwd: ARTIFACTS, file: archive, portable: true }, ['.']);
      const container = BlobServiceClient.fromConnectionString(
        world.azurite.connectionString,
      ).getContainerClient('bundles');
      await container.createIfNotExists();
      world.emulator.resetCounters();
      await container.getBlockBlobClient('lakehouse-42.tar.gz').uploadFile(archive, {
        metadata: {
          commit: 'c3d4e5f60718293a4b5c6d7e8f90123456789012',
          ref: 'refs/heads/main',
          requestedby: 'ci',
        },
      });
      const deadline = Date.now() + 60_000;
      let release: Release | undefined;
      while (!release) {
        const { json } = await app.call('GET', 'releases');
        const found = (json as { releases: (Release & { releaseId: string })[] }).releases.find(
          (r) => r.source?.kind === 'upload',
        );
        if (found && ['Completed', 'Failed'].includes(found.runtimeStatus)) release = found;
        else if (Date.now() > deadline) throw new Error('the upload started no release');
        else await new Promise((done) => setTimeout(done, 200));
      }
      expect(release).toMatchObject({
        state: 'succeeded',
        source: { kind: 'upload', commit: 'c3d4e5f60718293a4b5c6d7e8f90123456789012' },
      });
      // Same content as the pushes: Dev is already up to date, so the upload's release writes nothing.
      expect(world.emulator.counters().writes).toBe(0);
      expect(devNotebookCount()).toBe(6);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
