// Pure: one object's declared permissions against its live access-control list and the ledger -> its plan step.
// bricklane manages the entries it declared and no others: a declared entry that is missing or at another level
// is an update (Permissions API PATCH, which "adds or updates" the entries it names and keeps the rest); an entry
// someone added by hand is reported as drift and kept. Only a bundle whose options make the lists authoritative
// (`authoritativePermissions`) replaces the direct entries (PUT), keeping the owner. Inherited entries (from the
// workspace root, the parent folder, admins) are never the object's own and are never compared. The deploying
// identity's own entries (IS_OWNER, which jobs/create gives the caller; a cluster's creator) are not drift.
import type { AccessControlEntry, PermissionsItem } from '../manifest/Bundle';
import { principalOf } from '../manifest/collectPermissions';
import type { PlanStep } from './DeployPlan';
import type { Ledger } from './Ledger';
import type { LivePermissions, LiveState } from './LiveState';
import { WAVE_OF_KIND } from './waves';

export interface AclDifference {
  /** Declared entries the live list lacks (or holds at another level). */
  missing: AccessControlEntry[];
  /** Direct live entries the bundle does not declare, other than the owner's. */
  extra: AccessControlEntry[];
}

export function planPermissions(item: PermissionsItem, live: LiveState, ledger: Ledger): PlanStep {
  const entry = ledger.entries[item.key];
  const base = {
    key: item.key,
    kind: 'permissions' as const,
    wave: WAVE_OF_KIND.permissions,
    target: `${item.objectType} ${item.target}`,
  };
  const acl = live.permissions?.[item.key];
  const declared = item.entries.map(describe);
  if (!acl) {
    return {
      ...base,
      action: 'create',
      reason: `new: ${declared.join(', ')}, set once the object is deployed`,
      diff: [{ path: 'access_control_list', after: declared }],
      ...(entry ? { drift: 'the object or its list is gone outside bricklane' } : {}),
    };
  }
  const liveId = `${acl.objectType}/${acl.objectId}`;
  const { missing, extra } = aclDifference(item.entries, acl);
  const added = extra.length > 0 ? `added outside bricklane: ${extra.map(describe).join(', ')}` : undefined;
  const recorded = entry !== undefined && entry.hash === item.sha256;
  if (missing.length > 0 || (item.authoritative && extra.length > 0)) {
    const changed =
      missing.length > 0 && recorded
        ? `changed outside bricklane: ${missing.map(describe).join(', ')} missing`
        : undefined;
    const drift = [
      changed,
      added && (item.authoritative ? `${added} (removed: the list is authoritative)` : `${added} (kept)`),
    ]
      .filter(Boolean)
      .join('; ');
    return {
      ...base,
      action: 'update',
      liveId,
      changes: ['access_control_list'],
      diff: [
        ...missing.map((e) => ({ path: `access_control_list.${principalOf(e)}`, after: e.permission_level })),
        ...(item.authoritative
          ? extra.map((e) => ({ path: `access_control_list.${principalOf(e)}`, before: e.permission_level }))
          : []),
      ],
      reason: item.authoritative
        ? 'permissions differ; the declared list replaces the direct entries (PUT)'
        : `grant ${missing.map(describe).join(', ')} (PATCH)`,
      ...(drift ? { drift } : {}),
    };
  }
  return {
    ...base,
    action: 'unchanged',
    liveId,
    reason: 'every declared entry is live',
    ...(added ? { drift: `${added} (kept: bricklane manages only the entries it declares)` } : {}),
  };
}

export function aclDifference(declared: readonly AccessControlEntry[], acl: LivePermissions): AclDifference {
  const has = (e: AccessControlEntry): boolean =>
    acl.direct.some(
      (d) =>
        principalOf(d).toLowerCase() === principalOf(e).toLowerCase() &&
        d.permission_level === e.permission_level,
    );
  const declaredPrincipals = new Set(declared.map((e) => principalOf(e).toLowerCase()));
  const ownersOwn = (d: AccessControlEntry): boolean =>
    d.permission_level === 'IS_OWNER' || (acl.creator !== undefined && d.user_name === acl.creator);
  // A declared principal at another level is the declared entry's to fix (missing), not someone else's entry.
  return {
    missing: declared.filter((e) => !has(e)),
    extra: acl.direct.filter((d) => !ownersOwn(d) && !declaredPrincipals.has(principalOf(d).toLowerCase())),
  };
}

function describe(e: AccessControlEntry): string {
  return `${principalOf(e)} ${e.permission_level}`;
}
