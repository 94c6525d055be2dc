// Pure: the web page of a release's commit, when the source says where it lives. `repository` comes from
// webhooks and manual runs (anyone who can push), so only https links of a known shape are built; the
// caller escapes the result like any other value.
import type { ReleaseSource } from '../release/ReleaseInput';

const SHA = /^[0-9a-f]{7,64}$/i;
// GitHub owner and repository names: https://docs.github.com/repositories/creating-and-managing-repositories
const GITHUB_REPO = /^(?:https:\/\/github\.com\/)?([A-Za-z0-9-]+\/[A-Za-z0-9._-]+?)(?:\.git)?\/?$/i;

/**
 * GitHub: `owner/name` or its https URL -> https://github.com/owner/name/commit/<sha>. Azure Repos: the
 * repository's https URL (`…/_git/<repo>`, e.g. a push's `remoteUrl`) + `/commit/<sha>`, or, for the
 * `project/name` the Azure Repos webhook records, the configured organization URL (the only organization
 * bricklane fetches from) + `/<project>/_git/<name>/commit/<sha>`. Else undefined.
 */
export function commitUrl(source: ReleaseSource, azureReposOrganizationUrl?: string): string | undefined {
  const commit = source.commit?.trim();
  const repository = source.repository?.trim();
  if (!commit || !SHA.test(commit) || !repository) return undefined;
  const onGitHub = /^https:\/\/github\.com\//i.test(repository);
  if (onGitHub || (source.kind === 'github' && !repository.includes(':'))) {
    const match = GITHUB_REPO.exec(repository);
    return match ? `https://github.com/${match[1]}/commit/${commit}` : undefined;
  }
  const projectAndName = /^([^/:]+)\/([^/:]+)$/.exec(repository);
  if (source.kind === 'azureRepos' && projectAndName) {
    const organization = httpsUrl(azureReposOrganizationUrl ?? '');
    if (!organization) return undefined;
    const [, project = '', name = ''] = projectAndName;
    const base = `${organization.origin}${organization.pathname.replace(/\/+$/, '')}`;
    return `${base}/${encodeURIComponent(project)}/_git/${encodeURIComponent(name)}/commit/${commit}`;
  }
  const url = httpsUrl(repository);
  if (!url) return undefined;
  if (source.kind !== 'azureRepos' && !url.pathname.includes('/_git/')) return undefined;
  // A push's remoteUrl names the organization as user (https://org@dev.azure.com/...); a link needs none.
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}/commit/${commit}`;
}

function httpsUrl(text: string): URL | undefined {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}
