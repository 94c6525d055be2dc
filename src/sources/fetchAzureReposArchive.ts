// I/O: downloads a commit of an Azure Repos Git repository as a zip into a file, from the configured
// organization only (the organization URL is a setting, never a payload's). Items - Get (Azure DevOps REST
// 7.1) with path=/ and $format=zip answers the tree as a zip. Authentication is a PAT (Basic, empty user
// name) when one is set, else an Entra token of the app identity for Azure DevOps' resource id. Azure DevOps
// answers bad or missing credentials with 203 and an HTML sign-in page, or a 302 to it, rather than 401.
import type { TokenCredential } from '@azure/core-auth';
import { azureDevOpsNameProblem } from '../config/azureDevOpsNameProblem';
import { azureDevOpsUrl } from '../config/azureDevOpsUrl';
import type { SourceSettings } from '../config/Settings';
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

const LABEL = 'azure repos';
/** Azure DevOps' application id in Entra ID; tokens for it carry this audience. */
export const AZURE_DEVOPS_SCOPE = '499b84ac-1321-427f-aa17-267ca6975798/.default';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COMMIT = /^[0-9a-f]{40}$/;
const SIGN_IN = /_signin|\/_signout|login\.microsoftonline\.com|vssps\.visualstudio\.com|app\.vssps/i;

export async function fetchAzureReposArchive(
  azureRepos: SourceSettings['azureRepos'],
  credential: () => TokenCredential,
  project: string,
  repositoryId: string,
  commit: string,
  destFile: string,
  options: FetchArchiveOptions = {},
): Promise<FetchedArchive> {
  const organizationUrl = azureRepos.organizationUrl;
  if (!organizationUrl) {
    throw new SourceFetchError(
      'SourceForbidden',
      `${LABEL}: BRICKLANE_AZURE_DEVOPS_ORGANIZATION_URL is not set: set it to https://dev.azure.com/<organization>`,
      true,
    );
  }
  const projectOk = GUID.test(project) || azureDevOpsNameProblem(project) === undefined;
  if (!projectOk || !GUID.test(repositoryId) || !COMMIT.test(commit)) {
    throw new SourceFetchError(
      'SourceNotFound',
      `${LABEL}: "${project}/${repositoryId}@${commit}" does not name a project, repository id and commit sha`,
      true,
    );
  }
  // Built before any credential is read: a URL outside the organization never gets one.
  const url = azureDevOpsUrl(
    organizationUrl,
    [project, '_apis', 'git', 'repositories', repositoryId, 'items'],
    {
      path: '/',
      'versionDescriptor.version': commit,
      'versionDescriptor.versionType': 'commit',
      $format: 'zip',
      download: 'true',
      'api-version': '7.1',
    },
  );
  if (!url) {
    throw new SourceFetchError(
      'SourceForbidden',
      `${LABEL}: "${project}" does not make a URL inside ${organizationUrl}; nothing was sent`,
      true,
    );
  }
  const signal = AbortSignal.any([
    AbortSignal.timeout(options.timeoutInMs ?? DEFAULT_ARCHIVE_TIMEOUT_IN_MS),
    ...(options.abortSignal ? [options.abortSignal] : []),
  ]);
  const usesPat = Boolean(azureRepos.pat);
  const download = async (): Promise<FetchedArchive> => {
    const authorization = usesPat
      ? `Basic ${Buffer.from(`:${azureRepos.pat}`).toString('base64')}`
      : `Bearer ${await entraToken(credential(), organizationUrl, signal)}`;
    const where = `${project}/${repositoryId}@${commit.slice(0, 12)} in ${organizationUrl}`;
    const how = usesPat ? 'BRICKLANE_AZURE_DEVOPS_PAT' : "the Function App's identity";
    const response = await fetchWithRedirects(url, {
      label: LABEL,
      headers: { accept: 'application/zip', 'user-agent': 'bricklane', authorization },
      fetch: options.fetch ?? fetch,
      signal,
      stopAt: (target) => SIGN_IN.test(target.href),
    });
    const contentType = response.headers.get('content-type') ?? '';
    const signInPage =
      response.status === 203 ||
      response.status === 401 ||
      (response.status >= 300 && response.status < 400) ||
      (response.status === 200 && /text\/html/i.test(contentType));
    if (signInPage) {
      await response.body?.cancel().catch(() => undefined);
      throw new SourceFetchError(
        'SourceUnauthorized',
        `${LABEL}: ${organizationUrl} did not accept ${how} (answered ${response.status} with a sign-in page): ` +
          (usesPat
            ? 'the PAT is wrong, expired or not valid for this organization; create one with Code (Read) scope'
            : 'add the identity to the organization (Organization settings → Users) with Basic access and Code ' +
              '(Read) on the repository, or set BRICKLANE_AZURE_DEVOPS_PAT'),
        true,
      );
    }
    if (response.status !== 200) {
      const detail = await readErrorMessage(response, azureRepos.pat);
      throw failure(
        response.status,
        detail,
        where,
        how,
        parseRetryAfter(response.headers.get('retry-after')),
      );
    }
    if (!/zip|octet-stream/i.test(contentType)) {
      await response.body?.cancel().catch(() => undefined);
      throw new SourceFetchError(
        'SourceUnexpectedResponse',
        `${LABEL}: ${where}: expected a zip, got ${contentType || 'no content type'}`,
        true,
      );
    }
    const bytes = await writeBodyToFile(response, destFile, {
      maxBytes: options.maxBytes ?? DEFAULT_MAX_ARCHIVE_BYTES,
      label: LABEL,
    });
    return { bytes, format: 'zip' };
  };
  return withArchiveRetries(download, { ...options.retry, signal });
}

async function entraToken(
  credential: TokenCredential,
  organizationUrl: string,
  signal: AbortSignal,
): Promise<string> {
  let token;
  try {
    token = await credential.getToken(AZURE_DEVOPS_SCOPE, { abortSignal: signal });
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    // No identity here at all is a setting to fix; anything else (the token endpoint failing) may pass.
    throw new SourceFetchError(
      'SourceUnauthorized',
      `${LABEL}: no Entra token for ${organizationUrl} from the Function App's identity (${name || 'error'}): ` +
        'enable its managed identity or set BRICKLANE_AZURE_DEVOPS_PAT',
      name === 'CredentialUnavailableError',
    );
  }
  if (!token) {
    throw new SourceFetchError(
      'SourceUnauthorized',
      `${LABEL}: the Function App's identity returned no token for Azure DevOps; set BRICKLANE_AZURE_DEVOPS_PAT`,
      true,
    );
  }
  return token.token;
}

function failure(
  status: number,
  detail: string,
  where: string,
  how: string,
  retryAfterInMs: number | undefined,
): SourceFetchError {
  const said = detail ? ` (Azure DevOps said: ${detail})` : '';
  if (status === 404 || status === 400) {
    return new SourceFetchError(
      'SourceNotFound',
      `${LABEL}: ${where} was not found: the project, repository or commit does not exist, or ${how} lacks ` +
        `Code (Read) on the repository${said}`,
      true,
    );
  }
  if (status === 403) {
    return new SourceFetchError(
      'SourceForbidden',
      `${LABEL}: ${where}: ${how} may not read this repository (403): grant it Code (Read)${said}`,
      true,
    );
  }
  if (status === 429 || status >= 500) {
    return new SourceFetchError(
      'SourceUnavailable',
      `${LABEL}: ${where}: ${status === 429 ? 'rate limited' : 'server error'} (${status}); will retry${said}`,
      false,
      retryAfterInMs,
    );
  }
  return new SourceFetchError(
    'SourceUnexpectedResponse',
    `${LABEL}: ${where}: unexpected answer ${status}${said}`,
    true,
  );
}
