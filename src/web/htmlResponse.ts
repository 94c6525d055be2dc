// Pure: an HTML answer with the headers every bricklane page needs.
// - CSP: no script at all, inline styles only, forms may post only back to us;
// - no framing (clickjacking an Approve button), no Referer (the URL holds the token), no caching (a
//   shared proxy or the back button must not show a stale "waiting" page).
import type { HttpResponseInit } from '@azure/functions';

export const PAGE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

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
