// Pure: cluster specs and job settings that name bundle policies (`policy_name`, manifest/resolvePolicyReferences.ts)
// -> API bodies with the workspace's `policy_id`. Ids differ per workspace, so the swap happens per environment,
// as for cluster names in jobs (resolveJobSettings.ts); a policy with no id yet (created by this deploy) is
// reported instead of sent. No Clusters or Jobs API field is called `policy_name`, so every one is ours.
import type { Ledger } from './Ledger';

export interface ResolvedPolicyNames<T> {
  value: T;
  /** Policy names with no id yet. */
  unresolved: string[];
}

export function resolvePolicyNames<T>(
  value: T,
  policyIds: Readonly<Record<string, string | undefined>>,
): ResolvedPolicyNames<T> {
  const unresolved = new Set<string>();
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(node)) out[key] = walk(child);
    const name = out['policy_name'];
    if (typeof name === 'string') {
      const id = policyIds[name];
      if (id === undefined) unresolved.add(name);
      else {
        delete out['policy_name'];
        out['policy_id'] = id;
      }
    }
    return out;
  };
  return { value: walk(value) as T, unresolved: [...unresolved].sort() };
}

/** Policy name -> id, as the policies wave recorded them (`policies.<name>` ledger entries). */
export function policyIdsOfLedger(ledger: Ledger): Record<string, string> {
  return Object.fromEntries(
    Object.entries(ledger.entries)
      .filter(([key]) => key.startsWith('policies.'))
      .map(([key, entry]) => [key.slice('policies.'.length), entry.target]),
  );
}
