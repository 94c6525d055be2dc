// I/O (activity): fetches the pushed commit's archive and stages its bundle folder (BRICKLANE_BUNDLE_PATH)
// as an immutable, content-addressed bundle, the first step of a webhook-started release. What no retry can
// fix (not found, refused credentials, a rejected archive, a missing bundle folder) comes back as a failed
// result with the message and the fix for the status page; outages, throttling and timeouts are retried a
// few times within the download (ARCHIVE_RETRIES), then thrown, so the orchestration's retry policy retries
// them. The archive lives in a temporary folder that is always removed.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArchiveRejectedError } from '../sources/ArchiveRejectedError';
import { fetchAzureReposArchive } from '../sources/fetchAzureReposArchive';
import { fetchGitHubArchive } from '../sources/fetchGitHubArchive';
import { stageArchive } from '../sources/stageArchive';
import { ARCHIVE_RETRIES } from '../sources/withArchiveRetries';
import type { StageSourceInput, StageSourceResult } from './contracts';
import { failuresAsData, permanentFailureOf } from './failuresAsData';
import { appServices } from '../services/appServices';
import type { ActivityOptions } from 'durable-functions';

export async function stageSource(input: StageSourceInput): Promise<StageSourceResult> {
  const services = appServices();
  const { sources } = services.settings;
  const source = input.fetch;
  const work = await mkdtemp(join(tmpdir(), 'bricklane-source-'));
  try {
    let archive: string;
    if (source.kind === 'github') {
      archive = join(work, 'source.tar.gz');
      await fetchGitHubArchive(sources.github, source.repository, source.commit, archive, {
        retry: ARCHIVE_RETRIES,
      });
    } else {
      // Credentials go only to the configured organization. The input names the organization the webhook
      // accepted; if the setting changed since, fetching from either would be a guess.
      const configured = sources.azureRepos.organizationUrl;
      if (!configured || !sameUrl(configured, source.organizationUrl)) {
        return {
          ok: false,
          failure: {
            code: 'SourceOrganizationChanged',
            message:
              `azure repos: the release was started for ${source.organizationUrl}, but ` +
              `BRICKLANE_AZURE_DEVOPS_ORGANIZATION_URL is now ${configured ?? 'not set'}`,
            fix: 'push again to release',
          },
        };
      }
      archive = join(work, 'source.zip');
      await fetchAzureReposArchive(
        sources.azureRepos,
        services.credential,
        source.project,
        source.repositoryId,
        source.commit,
        archive,
        { retry: ARCHIVE_RETRIES },
      );
    }
    const staged = await stageArchive(services.releases, archive, {
      ...(sources.bundlePath ? { subfolder: sources.bundlePath } : {}),
    });
    return { ok: true, bundleId: staged.bundleId };
  } catch (error) {
    const failure = permanentFailureOf(error);
    if (!failure) throw error;
    if (error instanceof ArchiveRejectedError) {
      const where = source.kind === 'github' ? source.repository : `${source.project}/${source.repositoryId}`;
      failure.message = `${where}@${source.commit.slice(0, 12)}: ${error.message}`;
    }
    return { ok: false, failure };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function sameUrl(a: string, b: string): boolean {
  const key = (url: string): string => url.trim().toLowerCase().replace(/\/+$/, '');
  return key(a) === key(b);
}

/** Options for `df.app.activity('stageSource', stageSourceOptions)`: permanent failures come back as data. */
export const stageSourceOptions: ActivityOptions = { handler: failuresAsData(stageSource) };
