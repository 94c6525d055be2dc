// Pure: the plan basis (PlanBasis.ts) and the already-applied check of cluster policy and permissions steps.
// A policy's basis is its id and the live fields the plan compared, as for clusters. A permissions step's basis
// is the object's own entries other than the owner's: a list that gains or loses an entry between the plan and
// the apply moved, while the object getting its id in this deploy (its list read as missing at plan time, empty
// now) did not.
import type { Bundle, PermissionsItem, PolicyItem } from '../manifest/Bundle';
import { principalOf } from '../manifest/collectPermissions';
import { sha256OfJson } from '../manifest/sha256OfJson';
import type { Ledger } from './Ledger';
import type { LiveState } from './LiveState';
import type { ObjectBasis } from './PlanBasis';
import { aclDifference } from './planPermissions';
import { comparablePolicy, findLivePolicy } from './planPolicy';

type Item = { kind: 'policies'; item: PolicyItem } | { kind: 'permissions'; item: PermissionsItem };

function itemOf(desired: Bundle, key: string): Item | undefined {
  const policy = desired.policies.find((p) => p.key === key);
  if (policy) return { kind: 'policies', item: policy };
  const permissions = desired.permissions.find((p) => p.key === key);
  return permissions ? { kind: 'permissions', item: permissions } : undefined;
}

/** The basis of a policy or permissions step; undefined for a key of another kind. */
export function accessBasisOf(
  desired: Bundle,
  key: string,
  live: LiveState,
  ledger: Ledger,
): ObjectBasis | undefined {
  const found = itemOf(desired, key);
  if (!found) return undefined;
  if (found.kind === 'policies') {
    const policy = findLivePolicy(found.item, live, ledger.entries[key]?.target);
    if (!policy) return { live: 'absent' };
    const liveSpec = comparablePolicy(policy.spec);
    const fields = Object.fromEntries(
      Object.keys(found.item.spec)
        .sort()
        .map((k) => [k, sha256OfJson(liveSpec[k] ?? null).slice(0, 16)]),
    );
    return { live: `id ${policy.policy_id}`, fields };
  }
  const acl = live.permissions?.[key];
  const own = acl
    ? aclDifference([], acl)
        .extra.map((e) => `${principalOf(e)} ${e.permission_level}`)
        .sort()
    : [];
  return { live: 'acl', fields: { entries: sha256OfJson(own).slice(0, 16) } };
}

/** Whether a policy or permissions step is already in place (an earlier attempt applied it); undefined otherwise. */
export function accessEffectOf(
  desired: Bundle,
  key: string,
  live: LiveState,
  ledger: Ledger,
): { ledgerHasPlannedHash: boolean; liveMatchesDesired: boolean; id?: string } | undefined {
  const found = itemOf(desired, key);
  if (!found) return undefined;
  const entry = ledger.entries[key];
  const ledgerHasPlannedHash = entry?.hash === found.item.sha256;
  if (found.kind === 'policies') {
    const policy = findLivePolicy(found.item, live, entry?.target);
    const same =
      policy !== undefined &&
      sha256OfJson(comparablePolicy(found.item.spec)) ===
        sha256OfJson(
          Object.fromEntries(Object.keys(found.item.spec).map((k) => [k, comparablePolicy(policy.spec)[k]])),
        );
    return { ledgerHasPlannedHash, liveMatchesDesired: same, ...(policy ? { id: policy.policy_id } : {}) };
  }
  const acl = live.permissions?.[key];
  const difference = acl ? aclDifference(found.item.entries, acl) : undefined;
  return {
    ledgerHasPlannedHash,
    liveMatchesDesired:
      difference !== undefined &&
      difference.missing.length === 0 &&
      (!found.item.authoritative || difference.extra.length === 0),
  };
}
