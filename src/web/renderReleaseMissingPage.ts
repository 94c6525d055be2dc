// Pure: the status page's answer for a release id the task hub does not know (mistyped, or purged).
import { escapeHtml } from './escapeHtml';
import { pageLink } from './pageLink';
import { statusPageDocument } from './statusPageDocument';

export function renderReleaseMissingPage(releaseId: string, listPath: string, functionKey?: string): string {
  const body = [
    '<p class="eyebrow">bricklane · release</p>',
    '<h1>No such release</h1>',
    `<p>There is no release <code>${escapeHtml(releaseId)}</code>: the id may be mistyped, or the release ` +
      'was purged from the task hub.</p>',
    `<p class="links"><a href="${escapeHtml(pageLink(listPath, functionKey))}">All releases</a></p>`,
  ].join('\n');
  return statusPageDocument('No such release', body, { tone: 'error' });
}
