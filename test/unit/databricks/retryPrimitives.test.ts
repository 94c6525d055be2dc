import { describe, expect, it } from 'vitest';
import { classifyNetworkError } from '../../../src/databricks/classifyNetworkError';
import { computeBackoffDelay } from '../../../src/databricks/computeBackoffDelay';
import { parseRetryAfter } from '../../../src/databricks/parseRetryAfter';
import { connectionError } from './scriptedFetch';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-25T10:00:00Z');
  it.each<[string | null, number | undefined]>([
    [null, undefined],
    ['', undefined],
    ['2', 2000],
    ['0', 0],
    ['0.2', 200],
    [' 1.5 ', 1500],
    ['Wed, 25 Nov 2026 10:00:03 GMT', 3000],
    ['Wed, 25 Nov 2026 09:59:00 GMT', 0],
    ['soon', undefined],
    ['-1', undefined],
  ])('%s -> %s ms', (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });
});

describe('computeBackoffDelay', () => {
  it('grows exponentially up to the cap, with full jitter', () => {
    expect(
      [1, 2, 3, 4, 10].map((attempt) => computeBackoffDelay(attempt, 200, 1000, () => 0.999999)),
    ).toEqual([199, 399, 799, 999, 999]);
    expect(computeBackoffDelay(5, 200, 1000, () => 0)).toBe(0);
  });
});

describe('classifyNetworkError', () => {
  it.each<[string, unknown, { code: string; transient: boolean; notSent: boolean } | undefined]>([
    ['a reset', connectionError('ECONNRESET'), { code: 'ECONNRESET', transient: true, notSent: false }],
    [
      'a refused connection',
      connectionError('ECONNREFUSED'),
      { code: 'ECONNREFUSED', transient: true, notSent: true },
    ],
    [
      'an undici socket error',
      connectionError('UND_ERR_SOCKET'),
      { code: 'UND_ERR_SOCKET', transient: true, notSent: false },
    ],
    ['socket hang up', new Error('socket hang up'), { code: 'ECONNRESET', transient: true, notSent: false }],
    [
      'fetch failed without code',
      new TypeError('fetch failed'),
      { code: 'NETWORK_ERROR', transient: true, notSent: false },
    ],
    [
      'an unknown host',
      connectionError('ENOTFOUND'),
      { code: 'ENOTFOUND', transient: false, notSent: false },
    ],
    [
      'an untrusted certificate',
      connectionError('SELF_SIGNED_CERT_IN_CHAIN'),
      { code: 'SELF_SIGNED_CERT_IN_CHAIN', transient: false, notSent: false },
    ],
    ['a programming error', new RangeError('bad'), undefined],
  ])('%s', (_name, error, expected) => {
    expect(classifyNetworkError(error)).toEqual(expected);
  });
});
