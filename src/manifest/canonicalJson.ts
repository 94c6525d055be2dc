// Pure: JSON text with object keys sorted recursively, so equal specs hash equally.
// Planning compares these hashes with the ledger: key order in a bundle file must not cause a deploy.

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'null';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const child = (value as Record<string, unknown>)[key];
    // JSON.stringify drops undefined members; dropping them here keeps `{a: undefined}` equal to `{}`.
    if (child !== undefined) sorted[key] = sortKeys(child);
  }
  return sorted;
}
