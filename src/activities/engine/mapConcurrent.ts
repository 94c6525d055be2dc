// I/O helper: runs an async function over items with at most `limit` running, keeping input order.
// The workspace scheduler already bounds HTTP; this bounds what callers hold meanwhile (file bytes read
// for imports), so a 1,000-notebook wave never has 1,000 files in memory at once.

export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
