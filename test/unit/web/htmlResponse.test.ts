import { describe, expect, it } from 'vitest';
import { htmlResponse } from '../../../src/web/htmlResponse';

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
