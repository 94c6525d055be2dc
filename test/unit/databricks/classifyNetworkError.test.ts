import { describe, expect, it } from 'vitest';
import { classifyNetworkError } from '../../../src/databricks/classifyNetworkError';
import { connectionError } from './scriptedFetch';

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
