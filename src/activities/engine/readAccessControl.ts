// I/O: the live state of cluster policies and of the access-control lists the bundle declares, for planning and
// for the apply waves' drift check. Policies cost one unpaged policies/clusters/list. Each declared list costs
// one Permissions API GET (and the notebook folder one workspace/get-status the first time): only objects the
// bundle declares permissions on are read, so a bundle without `permissions` reads nothing more.
import { DatabricksNotFoundError } from '../../databricks/DatabricksApiError';
import type { DatabricksWorkspaceClient } from '../../databricks/DatabricksWorkspaceClient';
import type { ObjectPermissions } from '../../databricks/permissionsApi';
import type { AccessControlEntry, Bundle, PermissionsItem, ResourceKind } from '../../manifest/Bundle';
import type { Ledger } from '../../planning/Ledger';
import type { LivePermissions, LivePolicy, LiveState } from '../../planning/LiveState';
import { mapConcurrent } from './mapConcurrent';

/**
 * What policies and permissions planning needs, for the kinds asked for: nothing for a bundle that declares
 * neither. Read after the cluster and job lists, whose ids find objects the ledger does not know.
 */
export async function readAccessState(
  client: DatabricksWorkspaceClient,
  bundle: Bundle,
  kinds: readonly ResourceKind[],
  ledger: Ledger | undefined,
  lists: Pick<LiveState, 'clusters' | 'jobs'>,
): Promise<Pick<LiveState, 'policies' | 'permissions'>> {
  const policies =
    kinds.includes('policies') && bundle.policies.length > 0 ? await readPolicies(client) : undefined;
  const permissions =
    kinds.includes('permissions') && bundle.permissions.length > 0
      ? await readPermissions(client, bundle, ledger, { ...lists, ...(policies ? { policies } : {}) })
      : undefined;
  return { ...(policies ? { policies } : {}), ...(permissions ? { permissions } : {}) };
}

export async function readPolicies(client: DatabricksWorkspaceClient): Promise<LivePolicy[]> {
  const policies = await client.listPolicies();
  return policies.map((p) => ({ policy_id: p.policy_id, name: p.name, spec: { ...p } }));
}

/**
 * The list of each permissions item, by item key: null when its object does not exist yet (or is gone). Object ids
 * come from the ledger (what earlier deploys and earlier waves recorded), else from the live lists read with
 * them (`live`), else, for the folder, from workspace/get-status.
 */
export async function readPermissions(
  client: DatabricksWorkspaceClient,
  bundle: Bundle,
  ledger: Ledger | undefined,
  live: Pick<LiveState, 'clusters' | 'jobs' | 'policies'>,
): Promise<Record<string, LivePermissions | null>> {
  const out: Record<string, LivePermissions | null> = {};
  await mapConcurrent(bundle.permissions, 8, async (item) => {
    out[item.key] = await readOne(client, item, ledger, live);
  });
  return out;
}

async function readOne(
  client: DatabricksWorkspaceClient,
  item: PermissionsItem,
  ledger: Ledger | undefined,
  live: Pick<LiveState, 'clusters' | 'jobs' | 'policies'>,
): Promise<LivePermissions | null> {
  const recorded = ledger?.entries[item.key]?.target;
  const recordedId = recorded?.startsWith(`${item.objectType}/`)
    ? recorded.slice(item.objectType.length + 1)
    : undefined;
  const read = async (id: string | undefined): Promise<LivePermissions | null> => {
    if (id === undefined) return null;
    try {
      const acl = await client.getPermissions(item.objectType, id);
      const creator = live.clusters.find((c) => c.cluster_id === id)?.spec['creator_user_name'];
      return {
        objectType: item.objectType,
        objectId: id,
        direct: directEntriesOf(acl),
        ...(item.objectType === 'clusters' && typeof creator === 'string' ? { creator } : {}),
      };
    } catch (error) {
      if (error instanceof DatabricksNotFoundError) return null;
      throw error;
    }
  };
  if (item.objectType === 'directories') {
    const found = await read(recordedId);
    if (found) return found;
    const status = await client.getWorkspaceObjectStatus(item.target);
    return status?.object_type === 'DIRECTORY' ? read(String(status.object_id)) : null;
  }
  const objectId = ledger?.entries[item.object]?.target ?? recordedId ?? liveIdByName(item, live);
  return read(objectId);
}

function liveIdByName(
  item: PermissionsItem,
  live: Pick<LiveState, 'clusters' | 'jobs' | 'policies'>,
): string | undefined {
  if (item.objectType === 'jobs') {
    const job = live.jobs.find((j) => j.name === item.target);
    return job ? String(job.job_id) : undefined;
  }
  if (item.objectType === 'clusters')
    return live.clusters.find((c) => c.cluster_name === item.target)?.cluster_id;
  return live.policies?.find((p) => p.name === item.target)?.policy_id;
}

/** The object's own entries, one per principal and level (inherited levels are the parent's, never compared). */
export function directEntriesOf(acl: ObjectPermissions): AccessControlEntry[] {
  const out: AccessControlEntry[] = [];
  for (const entry of acl.access_control_list) {
    const principal =
      entry.user_name !== undefined
        ? { user_name: entry.user_name }
        : entry.group_name !== undefined
          ? { group_name: entry.group_name }
          : entry.service_principal_name !== undefined
            ? { service_principal_name: entry.service_principal_name }
            : undefined;
    if (!principal) continue;
    for (const p of entry.all_permissions ?? []) {
      if (p.inherited === true || typeof p.permission_level !== 'string') continue;
      out.push({ ...principal, permission_level: p.permission_level } as AccessControlEntry);
    }
  }
  return out;
}
