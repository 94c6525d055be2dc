// I/O: downloads a commit of a GitHub repository as a tarball into a file.
// GET {apiUrl}/repos/{owner}/{repo}/tarball/{ref} answers 302 to codeload (GitHub REST "Download a
// repository archive (tar)"); the redirect is followed without the token (fetchWithRedirects). GitHub answers
// 404, not 403, for a private repository the token cannot see, so a 404 names the token setting too.
import type { SourceSettings } from '../config/Settings';
import { isGitHubRepositoryName } from '../config/isGitHubRepositoryName';
import {
  DEFAULT_ARCHIVE_TIMEOUT_IN_MS,
  DEFAULT_MAX_ARCHIVE_BYTES,
  type FetchArchiveOptions,
  type FetchedArchive,
} from './FetchArchiveOptions';
import { parseRetryAfter } from '../databricks/parseRetryAfter';
import { fetchWithRedirects } from './fetchWithRedirects';
import { readErrorMessage } from './readErrorMessage';
import { SourceFetchError } from './SourceFetchError';
import { withArchiveRetries } from './withArchiveRetries';
import { writeBodyToFile } from './writeBodyToFile';

const LABEL = 'github';
const COMMIT = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

export async function fetchGitHubArchive(
  github: Pick<SourceSettings['github'], 'apiUrl' | 'token'>,
  repository: string,
  commit: string,
  destFile: string,
  options: FetchArchiveOptions = {},
): Promise<FetchedArchive> {
  const [owner = '', repo = ''] = repository.split('/');
  // Anything but owner/name as GitHub allows them never reaches a URL path.
  if (!isGitHubRepositoryName(repository)) {
    throw new SourceFetchError(
      'SourceNotFound',
      `${LABEL}: "${repository}" is not an owner/repository name`,
      true,
    );
  }
  if (!COMMIT.test(commit)) {
    throw new SourceFetchError('SourceNotFound', `${LABEL}: "${commit}" is not a full commit sha`, true);
  }
  const url = new URL(
    `${github.apiUrl}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/tarball/${commit}`,
  );
  const headers: Record<string, string> = {
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28',
    // GitHub refuses requests without a User-Agent.
    'user-agent': 'bricklane',
    ...(github.token ? { authorization: `Bearer ${github.token}` } : {}),
  };
  const signal = AbortSignal.any([
    AbortSignal.timeout(options.timeoutInMs ?? DEFAULT_ARCHIVE_TIMEOUT_IN_MS),
    ...(options.abortSignal ? [options.abortSignal] : []),
  ]);
  const download = async (): Promise<FetchedArchive> => {
    const response = await fetchWithRedirects(url, {
      label: LABEL,
      headers,
      fetch: options.fetch ?? fetch,
      signal,
    });
    if (response.status !== 200) {
      const detail = await readErrorMessage(response, github.token);
      throw failure(response, detail, {
        repository,
        commit,
        apiUrl: github.apiUrl,
        hasToken: Boolean(github.token),
      });
    }
    const bytes = await writeBodyToFile(response, destFile, {
      maxBytes: options.maxBytes ?? DEFAULT_MAX_ARCHIVE_BYTES,
      label: LABEL,
    });
    return { bytes, format: 'tar.gz' };
  };
  return withArchiveRetries(download, { ...options.retry, signal });
}

function failure(
  response: Response,
  detail: string,
  what: { repository: string; commit: string; apiUrl: string; hasToken: boolean },
): SourceFetchError {
  const status = response.status;
  const said = detail ? ` (GitHub said: ${detail})` : '';
  const where = `${what.repository}@${what.commit.slice(0, 12)}`;
  if (status === 404) {
    const token = what.hasToken
      ? 'or BRICKLANE_GITHUB_TOKEN cannot read it (it needs Contents: read on this repository)'
      : 'or it is private and BRICKLANE_GITHUB_TOKEN is not set (set a token with Contents: read)';
    return new SourceFetchError(
      'SourceNotFound',
      `${LABEL}: ${where} was not found at ${what.apiUrl}: the repository or commit does not exist, ${token}${said}`,
      true,
    );
  }
  if (status === 401) {
    return new SourceFetchError(
      'SourceUnauthorized',
      `${LABEL}: ${what.apiUrl} refused BRICKLANE_GITHUB_TOKEN (401): it is wrong, expired or revoked; set a valid token${said}`,
      true,
    );
  }
  const rateLimited =
    status === 429 || (status === 403 && response.headers.get('x-ratelimit-remaining') === '0');
  if (rateLimited || status >= 500) {
    return new SourceFetchError(
      'SourceUnavailable',
      `${LABEL}: ${where}: ${rateLimited ? 'rate limited' : 'server error'} (${status}); will retry${said}`,
      false,
      parseRetryAfter(response.headers.get('retry-after')),
    );
  }
  if (status === 403) {
    return new SourceFetchError(
      'SourceForbidden',
      `${LABEL}: ${where}: BRICKLANE_GITHUB_TOKEN may not download this repository (403): give it Contents: read, ` +
        `and authorize it for the organization's SSO if there is one${said}`,
      true,
    );
  }
  return new SourceFetchError(
    'SourceUnexpectedResponse',
    `${LABEL}: ${where}: unexpected answer ${status} from ${what.apiUrl}${said}`,
    true,
  );
}
