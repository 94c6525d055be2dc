// mapWithinBudget: at most `limit` calls at once, and at most `budget` of weight among them, except that one
// call always may run (an item heavier than the budget runs alone rather than never).
import { describe, expect, it } from 'vitest';
import { mapWithinBudget } from '../../../../src/activities/engine/mapWithinBudget';

async function run(weights: number[], limit: number, budget: number) {
  let weight = 0;
  let calls = 0;
  const most = { weight: 0, calls: 0 };
  const results = await mapWithinBudget(
    weights,
    limit,
    budget,
    (w) => w,
    async (w, i) => {
      weight += w;
      calls += 1;
      most.weight = Math.max(most.weight, weight);
      most.calls = Math.max(most.calls, calls);
      await new Promise((resolve) => setTimeout(resolve, 2));
      weight -= w;
      calls -= 1;
      return i;
    },
  );
  return { results, most };
}

describe('mapWithinBudget', () => {
  it('keeps the weight running within the budget, and the count within the limit, in input order', async () => {
    const { results, most } = await run([6, 6, 6, 6, 1, 1, 1, 1, 1], 4, 15);
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(most.weight).toBeLessThanOrEqual(15);
    expect(most.calls).toBeLessThanOrEqual(4);
    expect(most.calls).toBeGreaterThan(1);
  });

  it('runs light items up to the limit, and an item over the budget alone', async () => {
    expect((await run([1, 1, 1, 1, 1, 1], 4, 15)).most.calls).toBe(4);
    const heavy = await run([20, 20, 20], 4, 15);
    expect(heavy.results).toEqual([0, 1, 2]);
    expect(heavy.most).toEqual({ weight: 20, calls: 1 });
  });
});
