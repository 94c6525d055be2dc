// Pure: the page for an outcome: approved, rejected, already decided, expired, forbidden, not found.
import { escapeHtml } from './escapeHtml';
import { renderDocument, type PageTone } from './renderDocument';

export function renderMessagePage(
  title: string,
  message: string,
  status: number,
  details: ReadonlyArray<readonly [string, string]> = [],
): string {
  const rows = details.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('');
  const body = [
    '<p class="eyebrow">bricklane · approval</p>',
    `<h1>${escapeHtml(title)}</h1>`,
    `<p>${escapeHtml(message)}</p>`,
    rows ? `<div class="card"><dl>${rows}</dl></div>` : '',
    `<p class="note">HTTP ${escapeHtml(status)}</p>`,
  ].join('\n');
  return renderDocument(title, body, toneOf(status));
}

function toneOf(status: number): PageTone {
  if (status < 300) return 'ok';
  if (status === 409 || status === 410) return 'warn';
  return 'error';
}
