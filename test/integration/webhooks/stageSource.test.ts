// The stageSource activity end to end: a commit fetched from the emulated GitHub or Azure DevOps over
// HTTPS, unpacked and staged in Azurite. A repository whose artifacts/ is the sample bundle stages the same
// bundle id as staging artifacts/ directly: the id names content, not where it came from.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SourceToFetch } from '../../../src/release/ReleaseInput';
import { stageSource } from '../../../src/activities/stageSource';
import { RELEASES_CONTAINER, ReleaseStorage, stagedBundleBlob } from '../../../src/azure/ReleaseStorage';
import { SourceFetchError } from '../../../src/sources/SourceFetchError';
import { stageBundle } from '../../../src/sources/stageBundle';
import { Azurite } from '../../emulator/Azurite';
import { SourceHostEmulator } from '../../emulator/SourceHostEmulator';

const ARTIFACTS = resolve(__dirname, '..', '..', '..', 'artifacts');
const SEED_STYLE = resolve(__dirname, '..', '..', 'fixtures', 'bundles', 'seed-style');
const COMMIT = '9c1e4f7a2b5d8e0f3a6c9b2e5d8f1a4c7b0e3d6f';
const NO_BUNDLE = '1111111111111111111111111111111111111111';
const TOKEN = 'ghp_stage0123456789abcdefABCDEF01234567';
const PAT = 'stagepat0123456789abcdefghijklmnopqrstuvwxyz0123456789';
const REPOSITORY_ID = '0d7e0a6c-3b5f-4c1e-9a2d-8f6b4e2c1a90';

let azurite: Azurite;
let emulator: SourceHostEmulator;
let temp: string;
let expectedBundleId: string;
let service: BlobServiceClient;

const github = (commit: string, repository = 'contoso/etl'): SourceToFetch => ({
  kind: 'github',
  repository,
  commit,
});
const azureRepos = (
  commit: string,
  organizationUrl = emulator.organizationUrl('fabrikam'),
): SourceToFetch => ({
  kind: 'azureRepos',
  organizationUrl,
  project: 'Fabrikam',
  repositoryId: REPOSITORY_ID,
  commit,
});

beforeAll(async () => {
  [azurite, emulator] = await Promise.all([Azurite.start(), SourceHostEmulator.start()]);
  temp = await mkdtemp(join(tmpdir(), 'bricklane-stage-source-'));
  const tree = {
    'README.md': '# etl\n',
    'pipelines/ci.yml': 'trigger: [main]\n',
    artifacts: { dir: ARTIFACTS },
  };
  const noBundle = { 'README.md': '# etl\n', bundle: { dir: SEED_STYLE } };
  emulator.addGitHubRepo('contoso/etl', {
    private: true,
    tokens: [TOKEN],
    commits: { [COMMIT]: tree, [NO_BUNDLE]: noBundle },
  });
  emulator.addAzureRepo({
    organization: 'fabrikam',
    project: 'Fabrikam',
    repositoryId: REPOSITORY_ID,
    name: 'etl',
    pats: [PAT],
    commits: { [COMMIT]: tree },
  });
  Object.assign(process.env, {
    BRICKLANE_ENVIRONMENTS: 'dev',
    BRICKLANE_DEV_DATABRICKS_AUTH: 'token',
    BRICKLANE_DEV_WORKSPACE_URL: 'https://adb-1.1.azuredatabricks.net',
    BRICKLANE_DEV_DATABRICKS_TOKEN: 'dapi-test',
    BRICKLANE_LEDGER_CONNECTION: azurite.connectionString,
    BRICKLANE_GITHUB_API_URL: emulator.githubApiUrl,
    BRICKLANE_GITHUB_TOKEN: TOKEN,
    BRICKLANE_AZURE_DEVOPS_ORGANIZATION_URL: emulator.organizationUrl('fabrikam'),
    BRICKLANE_AZURE_DEVOPS_PAT: PAT,
    // Temporary files of this process land here, so the test can see that none are left behind.
    TMPDIR: temp,
  });
  // The reference: artifacts/ staged directly, in a container of its own.
  service = BlobServiceClient.fromConnectionString(azurite.connectionString);
  const reference = new ReleaseStorage(service, 'reference-bundles');
  expectedBundleId = (await stageBundle(reference, ARTIFACTS)).bundleId;
});

afterAll(async () => {
  await Promise.all([azurite?.stop(), emulator?.stop()]);
  if (temp) await rm(temp, { recursive: true, force: true });
});

afterEach(async () => {
  expect(await readdir(temp)).toEqual([]);
});

describe('stageSource', () => {
  it('stages artifacts/ of a private GitHub commit with the same id as the folder itself', async () => {
    const result = await stageSource({ releaseId: 'release-1', fetch: github(COMMIT) });
    expect(result).toEqual({ ok: true, bundleId: expectedBundleId });
    const blob = service
      .getContainerClient(RELEASES_CONTAINER)
      .getBlockBlobClient(stagedBundleBlob(expectedBundleId));
    expect(await blob.exists()).toBe(true);
    expect(emulator.requestsTo('codeload').map((r) => r.authorization)).toEqual([undefined]);
  });

  it('stages the same commit from Azure Repos (zip, PAT) to the same bundle id', async () => {
    const result = await stageSource({ releaseId: 'release-2', fetch: azureRepos(COMMIT) });
    expect(result).toEqual({ ok: true, bundleId: expectedBundleId });
  });

  it('fails permanently, with the reason, for a commit that does not exist', async () => {
    const result = await stageSource({ releaseId: 'release-3', fetch: github('2'.repeat(40)) });
    expect(result).toEqual({
      ok: false,
      failure: {
        code: 'SourceNotFound',
        message:
          `github: contoso/etl@222222222222 was not found at ${emulator.githubApiUrl}: the repository or commit does ` +
          'not exist, or BRICKLANE_GITHUB_TOKEN cannot read it (it needs Contents: read on this repository) ' +
          '(GitHub said: Not Found)',
        fix: expect.stringMatching(/^check the repository, the commit and the source credential/),
      },
    });
  });

  it('fails permanently when the commit has no bundle folder', async () => {
    const result = await stageSource({ releaseId: 'release-4', fetch: github(NO_BUNDLE) });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.failure.code).toBe('MissingFolder');
    expect(!result.ok && result.failure.message).toMatch(
      /^contoso\/etl@111111111111: archive rejected \(MissingFolder\): the archive has no folder "artifacts"/,
    );
  });

  it('refuses an Azure Repos source of another organization than the setting, sending nothing', async () => {
    emulator.reset();
    const result = await stageSource({
      releaseId: 'release-5',
      fetch: azureRepos(COMMIT, 'https://dev.azure.com/contoso'),
    });
    expect(result).toEqual({
      ok: false,
      failure: {
        code: 'SourceOrganizationChanged',
        message:
          'azure repos: the release was started for https://dev.azure.com/contoso, but ' +
          `BRICKLANE_AZURE_DEVOPS_ORGANIZATION_URL is now ${emulator.organizationUrl('fabrikam')}`,
        fix: 'push again to release',
      },
    });
    expect(emulator.requests).toHaveLength(0);
  });

  it('retries a download that fails for a reason a retry can fix within the activity (5xx, 429)', async () => {
    emulator.reset();
    emulator.failNext('github', 502);
    emulator.failNext('codeload', 503);
    emulator.failNext('codeload', 429);
    expect(await stageSource({ releaseId: 'release-7', fetch: github(COMMIT) })).toEqual({
      ok: true,
      bundleId: expectedBundleId,
    });
    expect(emulator.requestsTo('github').map((r) => r.status)).toEqual([502, 302, 302, 302]);
    expect(emulator.requestsTo('codeload').map((r) => r.status)).toEqual([503, 429, 200]);
  });

  it('throws transient failures that outlast its retries, so the retry policy retries them', async () => {
    // The first attempt and ARCHIVE_RETRIES' three retries.
    emulator.failNext('github', 502, 4);
    const error = await stageSource({ releaseId: 'release-6', fetch: github(COMMIT) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SourceFetchError);
    expect((error as SourceFetchError).permanent).toBe(false);
    // The retry succeeds.
    expect(await stageSource({ releaseId: 'release-6', fetch: github(COMMIT) })).toEqual({
      ok: true,
      bundleId: expectedBundleId,
    });
  });
});
