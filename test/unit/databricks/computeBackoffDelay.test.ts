import { describe, expect, it } from 'vitest';
import { computeBackoffDelay } from '../../../src/databricks/computeBackoffDelay';

describe('computeBackoffDelay', () => {
  it('grows exponentially up to the cap, with full jitter', () => {
    expect(
      [1, 2, 3, 4, 10].map((attempt) => computeBackoffDelay(attempt, 200, 1000, () => 0.999999)),
    ).toEqual([199, 399, 799, 999, 999]);
    expect(computeBackoffDelay(5, 200, 1000, () => 0)).toBe(0);
  });
});
