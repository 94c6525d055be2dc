// Pure: the HTML pieces every page uses: escaping, links between our pages, state badges and commit links.
import { azureDevOpsNameProblem } from '../config/azureDevOpsNameProblem';
import { azureDevOpsUrl } from '../config/azureDevOpsUrl';
import type { ReleaseSource } from '../release/ReleaseInput';
import { describeState } from './format';

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Text -> HTML text. Names on our pages come from bundles and webhooks (anyone who can push), so every
 * value goes through here; the five characters cover element content and quoted attributes.
 */
export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/**
 * A link between the status pages. The routes take a function key, so every link carries the key the page
 * was opened with (`?code=`); the pages are served with Referrer-Policy no-referrer, so the key does not
 * leak to the external links (commits) on them.
 */
export function pageLink(
  path: string,
  functionKey: string | undefined,
  query: Readonly<Record<string, string>> = {},
): string {
  const params = new URLSearchParams(query);
  if (functionKey) params.set('code', functionKey);
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

/**
 * A release or stage state as a coloured label. The label carries the meaning (colour alone fails
 * colour-blind readers and screen readers); `data-state` keeps the raw value for tools and tests.
 */
export function stateBadge(state: string): string {
  const { label, tone } = describeState(state);
  return `<span class="st st-${tone}" data-state="${escapeHtml(state)}">${escapeHtml(label)}</span>`;
}

/**
 * A release's commit as HTML: a link to its page on GitHub or Azure Repos when the source says where it
 * lives, else the sha as text. Empty when the release has no commit (a bundle upload).
 */
export function renderCommit(source: ReleaseSource | undefined, azureReposOrganizationUrl?: string): string {
  const commit = source?.commit;
  if (!source || !commit) return '';
  const short = /^[0-9a-f]{40,64}$/i.test(commit) ? commit.slice(0, 10) : commit;
  const text = `<code title="${escapeHtml(commit)}">${escapeHtml(short)}</code>`;
  const url = commitUrl(source, azureReposOrganizationUrl);
  return url ? `<a href="${escapeHtml(url)}" rel="noopener noreferrer">${text}</a>` : text;
}

// `repository` comes from webhooks and manual runs (anyone who can push), so commitUrl builds only https
// links of a known shape; the caller escapes the result like any other value.
const SHA = /^[0-9a-f]{7,64}$/i;
// GitHub owner and repository names: https://docs.github.com/repositories/creating-and-managing-repositories
const GITHUB_REPO = /^(?:https:\/\/github\.com\/)?([A-Za-z0-9-]+\/[A-Za-z0-9._-]+?)(?:\.git)?\/?$/i;

/**
 * The web page of a release's commit, when the source says where it lives.
 * GitHub: `owner/name` or its https URL -> https://github.com/owner/name/commit/<sha>. Azure Repos: the
 * repository's https URL (`…/_git/<repo>`, e.g. a push's `remoteUrl`) + `/commit/<sha>`, or, for the
 * `project/name` the Azure Repos webhook records, the configured organization URL (the only organization
 * bricklane fetches from) + `/<project>/_git/<name>/commit/<sha>`. An Azure Repos source links only into
 * the configured organization. Else undefined.
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
    const [, project = '', name = ''] = projectAndName;
    if (azureDevOpsNameProblem(project) || azureDevOpsNameProblem(name)) return undefined;
    const url = azureDevOpsUrl(azureReposOrganizationUrl ?? '', [project, '_git', name, 'commit', commit]);
    return url?.href;
  }
  const url = httpsUrl(repository);
  if (!url) return undefined;
  if (source.kind !== 'azureRepos' && !url.pathname.includes('/_git/')) return undefined;
  // A webhook's repository links only into the configured organization (issue 10: a project "https:" with
  // a repository "//evil.example/_git/x" made `https:////evil.example/_git/x`, a link to evil.example).
  if (source.kind === 'azureRepos' && !insideOrganization(url, azureReposOrganizationUrl)) return undefined;
  // A push's remoteUrl names the organization as user (https://org@dev.azure.com/...); a link needs none.
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}/commit/${commit}`;
}

/**
 * Same origin as the configured organization, and a path under its path (compared case-insensitively).
 * Without a configured organization (releases recorded before it was set), Azure DevOps' own hosts only.
 */
function insideOrganization(url: URL, organizationUrl: string | undefined): boolean {
  const organization = httpsUrl(organizationUrl ?? '');
  if (!organization) return /^(?:dev\.azure\.com|[a-z0-9][a-z0-9-]*\.visualstudio\.com)$/i.test(url.hostname);
  const base = `${organization.pathname.replace(/\/+$/, '')}/`.toLowerCase();
  return url.origin === organization.origin && url.pathname.toLowerCase().startsWith(base);
}

function httpsUrl(text: string): URL | undefined {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}
