// Pure: the HTTP answers of the pages: security headers, content negotiation between JSON and HTML, and
// the pages that only say what happened (an approval outcome, a release that does not exist).
// HttpResponseInit is only a type: nothing here does I/O.
import type { HttpResponseInit } from '@azure/functions';
import { renderDocument, statusPageDocument, type PageTone } from './document';
import { escapeHtml, pageLink } from './html';

// The headers every bricklane page needs:
// - CSP: no script at all, inline styles only, forms may post only back to us;
// - no framing (clickjacking an Approve button), no Referer (the URL holds the token), no caching (a
//   shared proxy or the back button must not show a stale "waiting" page).
const PAGE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

/** An HTML answer with the page security headers. */
export function htmlResponse(
  status: number,
  html: string,
  headers: Record<string, string> = {},
): HttpResponseInit {
  return {
    status,
    body: html,
    headers: { ...PAGE_SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8', ...headers },
  };
}

/** A link onward from an outcome page (the release's signed view link): a page is never a dead end. */
export interface OnwardLink {
  href: string;
  label: string;
}

/** An outcome page as an HTTP answer (status, security headers, HTML). */
export function messageResponse(
  status: number,
  title: string,
  message: string,
  details: ReadonlyArray<readonly [string, string]> = [],
  headers: Record<string, string> = {},
  onward?: OnwardLink,
): HttpResponseInit {
  return htmlResponse(status, renderMessagePage(title, message, status, details, onward), headers);
}

// Content negotiation for the status routes. A browser's Accept ranks text/html above everything;
// fetch, curl and the SDKs send `*/*` or application/json and keep getting JSON, as they always have.
// Ranking follows RFC 9110 §12.5.1: a type's quality comes from the most specific range that matches it.
/** `format=html|json` in the query wins (a person can look at the JSON in a browser); else the Accept header. */
export function prefersHtml(accept: string | null | undefined, format?: string | null): boolean {
  if (format === 'html') return true;
  if (format === 'json') return false;
  if (!accept) return false;
  const ranges = accept.split(',').map(parseRange);
  const html = qualityOf(ranges, 'text', 'html');
  return html > 0 && html > qualityOf(ranges, 'application', 'json');
}

interface MediaRange {
  type: string;
  subtype: string;
  q: number;
}

function parseRange(text: string): MediaRange {
  const [mediaType = '', ...params] = text.split(';').map((p) => p.trim().toLowerCase());
  const [type = '', subtype = ''] = mediaType.split('/');
  let q = 1;
  for (const param of params) {
    const [name, value] = param.split('=').map((p) => p.trim());
    if (name !== 'q') continue;
    const parsed = Number(value);
    q = Number.isFinite(parsed) ? Math.min(Math.max(parsed, 0), 1) : 0;
  }
  return { type, subtype, q };
}

function qualityOf(ranges: readonly MediaRange[], type: string, subtype: string): number {
  let best: { specificity: number; q: number } = { specificity: -1, q: 0 };
  for (const range of ranges) {
    const specificity =
      range.type === type && range.subtype === subtype
        ? 2
        : range.type === type && range.subtype === '*'
          ? 1
          : range.type === '*' && range.subtype === '*'
            ? 0
            : -1;
    if (specificity > best.specificity) best = { specificity, q: range.q };
  }
  return best.q;
}

/** The page for an outcome: approved, rejected, already decided, expired, forbidden, not found. */
export function renderMessagePage(
  title: string,
  message: string,
  status: number,
  details: ReadonlyArray<readonly [string, string]> = [],
  onward?: OnwardLink,
): string {
  const rows = details.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('');
  const body = [
    '<p class="eyebrow">bricklane · approval</p>',
    `<h1>${escapeHtml(title)}</h1>`,
    `<p>${escapeHtml(message)}</p>`,
    rows ? `<div class="card"><dl>${rows}</dl></div>` : '',
    // The HTTP status is for clients; a person reads the title and the tone (a green or red page).
    onward ? `<p class="links"><a href="${escapeHtml(onward.href)}">${escapeHtml(onward.label)}</a></p>` : '',
  ].join('\n');
  return renderDocument(title, body, toneOf(status));
}

function toneOf(status: number): PageTone {
  if (status < 300) return 'ok';
  if (status === 409 || status === 410) return 'warn';
  return 'error';
}

/** The status page's answer for a release id the task hub does not know (mistyped, or purged). */
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
