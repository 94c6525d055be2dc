// I/O helper: mapConcurrent with a second bound, on what the running calls hold: each item weighs something
// (the bytes of the zip it builds and sends), and an item starts only when its weight fits in the budget beside
// those running. One item always may run, however heavy, so nothing waits forever.
import { mapConcurrent } from './mapConcurrent';

export async function mapWithinBudget<T, R>(
  items: readonly T[],
  limit: number,
  budget: number,
  weightOf: (item: T) => number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  let used = 0;
  let waiting: (() => void)[] = [];
  return mapConcurrent(items, limit, async (item, index) => {
    const weight = weightOf(item);
    while (used > 0 && used + weight > budget) await new Promise<void>((wake) => waiting.push(wake));
    used += weight;
    try {
      return await fn(item, index);
    } finally {
      used -= weight;
      const woken = waiting;
      waiting = [];
      for (const wake of woken) wake();
    }
  });
}
