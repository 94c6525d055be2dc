// Pure: a release's commit as HTML: a link to its page on GitHub or Azure Repos when the source says
// where it lives, else the sha as text. Empty when the release has no commit (a bundle upload).
import type { ReleaseSource } from '../release/ReleaseInput';
import { commitUrl } from './commitUrl';
import { escapeHtml } from './escapeHtml';

export function renderCommit(source: ReleaseSource | undefined, azureReposOrganizationUrl?: string): string {
  const commit = source?.commit;
  if (!source || !commit) return '';
  const short = /^[0-9a-f]{40,64}$/i.test(commit) ? commit.slice(0, 10) : commit;
  const text = `<code title="${escapeHtml(commit)}">${escapeHtml(short)}</code>`;
  const url = commitUrl(source, azureReposOrganizationUrl);
  return url ? `<a href="${escapeHtml(url)}" rel="noopener noreferrer">${text}</a>` : text;
}
