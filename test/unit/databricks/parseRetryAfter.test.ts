import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../../src/databricks/parseRetryAfter';

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
