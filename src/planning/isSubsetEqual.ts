// Pure: does the live value contain everything we asked for?
// The Clusters and Jobs APIs echo our fields back plus defaults they fill in (default_tags,
// autotermination_minutes, format, ...), so equality is checked over the fields we set only.

export function isSubsetEqual(desired: unknown, live: unknown): boolean {
  if (desired === live) return true;
  if (Array.isArray(desired)) {
    return (
      Array.isArray(live) &&
      desired.length === live.length &&
      desired.every((d, i) => isSubsetEqual(d, live[i]))
    );
  }
  if (isRecord(desired)) {
    if (!isRecord(live)) return false;
    return Object.entries(desired).every(([k, v]) => isSubsetEqual(v, live[k]));
  }
  return false;
}

/** Top-level keys of `desired` whose values `live` does not match. */
export function differingKeys(desired: Record<string, unknown>, live: Record<string, unknown>): string[] {
  return Object.keys(desired)
    .filter((k) => !isSubsetEqual(desired[k], live[k]))
    .sort();
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
