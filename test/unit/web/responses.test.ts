import { describe, expect, it } from 'vitest';
import { htmlResponse, prefersHtml, renderMessagePage } from '../../../src/web/responses';

describe('htmlResponse', () => {
  it('sets the page security headers', () => {
    expect(htmlResponse(200, '<p>x</p>', { 'Retry-After': '5' })).toEqual({
      status: 200,
      body: '<p>x</p>',
      headers: {
        'Content-Security-Policy':
          "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        'X-Frame-Options': 'DENY',
        'Referrer-Policy': 'no-referrer',
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        'Content-Type': 'text/html; charset=utf-8',
        'Retry-After': '5',
      },
    });
  });
});

describe('prefersHtml', () => {
  const cases: Array<[string | null, string | null, boolean]> = [
    // Chromium's and Firefox's navigation Accept headers.
    [
      'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7',
      null,
      true,
    ],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', null, true],
    // fetch, curl, SDKs and scripts keep the JSON they always got.
    ['*/*', null, false],
    [null, null, false],
    ['', null, false],
    ['application/json', null, false],
    ['application/json, text/html;q=0.5', null, false],
    ['text/html;q=0.9, application/json', null, false],
    ['text/*', null, true],
    ['text/html;q=0', null, false],
    ['text/html, application/json', null, false],
    // An explicit format wins.
    ['*/*', 'html', true],
    ['text/html', 'json', false],
  ];
  it.each(cases)('Accept %j, format %j -> HTML %j', (accept, format, html) => {
    expect(prefersHtml(accept, format)).toBe(html);
  });
});

const EVIL = '<script>alert(1)</script>';

describe('renderMessagePage', () => {
  it('renders an outcome with escaped details', () => {
    const page = renderMessagePage('Already decided', `By ${EVIL}`, 409, [['By', EVIL]]);
    expect(page).not.toContain('<script');
    expect(page).toContain('<h1>Already decided</h1>');
    expect(page).toContain('<dt>By</dt><dd>&lt;script&gt;alert(1)&lt;/script&gt;</dd>');
    expect(page).toContain('class="tone-warn"');
    expect(renderMessagePage('Approved', 'ok', 200)).toContain('class="tone-ok"');
    expect(renderMessagePage('Invalid link', 'no', 403)).toContain('class="tone-error"');
  });
});
