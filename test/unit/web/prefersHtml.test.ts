import { describe, expect, it } from 'vitest';
import { prefersHtml } from '../../../src/web/prefersHtml';

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
