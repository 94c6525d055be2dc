import { HttpRequest } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { readRawBody } from '../../../src/sources/readRawBody';

const request = (bytes: Uint8Array, headers: Record<string, string> = {}): HttpRequest =>
  new HttpRequest({ method: 'POST', url: 'https://x.example/api/webhooks/github', headers, body: { bytes } });

describe('readRawBody', () => {
  it('returns the exact bytes, even when they are not text', async () => {
    const bytes = Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0xff, 0x7d]);
    expect(await readRawBody(request(bytes), 100)).toEqual({ ok: true, bytes });
  });

  it('takes a body of exactly the limit', async () => {
    const bytes = Buffer.alloc(64, 1);
    expect(await readRawBody(request(bytes), 64)).toEqual({ ok: true, bytes });
  });

  it('refuses by Content-Length before reading', async () => {
    expect(await readRawBody(request(Buffer.alloc(1), { 'content-length': '65' }), 64)).toEqual({
      ok: false,
      reason: 'tooLarge',
    });
  });

  it('refuses by the bytes read when the length is not declared or understated', async () => {
    expect(await readRawBody(request(Buffer.alloc(65)), 64)).toEqual({ ok: false, reason: 'tooLarge' });
    expect(await readRawBody(request(Buffer.alloc(65), { 'content-length': '10' }), 64)).toEqual({
      ok: false,
      reason: 'tooLarge',
    });
  });

  it('returns no bytes for an empty request', async () => {
    const empty = new HttpRequest({ method: 'POST', url: 'https://x.example/' });
    expect(await readRawBody(empty, 64)).toEqual({ ok: true, bytes: Buffer.alloc(0) });
  });
});
