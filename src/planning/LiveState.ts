// Pure: what the live workspace holds, as read before planning.
import type { AccessControlEntry, PermissionObjectType } from '../manifest/Bundle';

export interface LiveCluster {
  cluster_id: string;
  cluster_name: string;
  state: string;
  /** The cluster's fields as the API reports them (a superset of what we set). */
  spec: Record<string, unknown>;
}

export interface LiveJob {
  job_id: number;
  name: string;
  settings: Record<string, unknown>;
}

export interface LivePolicy {
  policy_id: string;
  name: string;
  /** The policy as policies/clusters/list reports it (`definition` a JSON string). */
  spec: Record<string, unknown>;
}

/** One object's access-control list, as the Permissions API reports it. */
export interface LivePermissions {
  objectType: PermissionObjectType;
  objectId: string;
  /** The object's own (not inherited) entries, one per principal and level. */
  direct: AccessControlEntry[];
  /** A cluster's creator (`creator_user_name`), whose own entry is not someone else's. */
  creator?: string;
}

/** A secret scope as secrets/list and secrets/acls/list show it: key names and ACL entries, never values. */
export interface LiveSecretScope {
  /** Key -> last_updated_timestamp (ms). */
  keys: Record<string, number>;
  /** Principal -> READ | WRITE | MANAGE. */
  acls: Record<string, string>;
}

export interface LiveState {
  clusters: LiveCluster[];
  jobs: LiveJob[];
  /**
   * Workspace objects under the folders the bundle deploys to (path -> object type), and DBFS files
   * the bundle deploys to. Undefined when not read: presence is then taken from the ledger.
   */
  workspaceObjects?: Record<string, 'NOTEBOOK' | 'FILE' | 'DIRECTORY' | 'LIBRARY' | 'REPO'>;
  /**
   * Folders known not to exist (a listing answered RESOURCE_DOES_NOT_EXIST, or the listing of their parent did
   * not hold them): nothing below them exists either. A folder neither here nor in workspaceObjects is unknown.
   */
  absentFolders?: string[];
  dbfsFiles?: Record<string, true>;
  /** Init scripts present in their Unity Catalog volume (Files API); undefined when none is bound for a volume. */
  volumeFiles?: Record<string, true>;
  /** Cluster policies; undefined when not read. */
  policies?: LivePolicy[];
  /**
   * Access-control lists by permissions item key (`permissions.jobs.nightly`); null when the object or its list
   * does not exist (yet); a key that is absent was not read.
   */
  permissions?: Record<string, LivePermissions | null>;
  /** The secret scopes the bundle names (null: no such scope). Undefined when not read. */
  secretScopes?: Record<string, LiveSecretScope | null>;
  /**
   * Key Vault secret name -> current version id, for the secrets the bundle copies. Undefined when the
   * environment has no vault to read (token mode).
   */
  vaultVersions?: Record<string, string>;
}

export function emptyLiveState(): LiveState {
  return { clusters: [], jobs: [], workspaceObjects: {}, dbfsFiles: {} };
}

/** Whether `folder` is known not to exist: it or a folder above it is in `live.absentFolders`. */
export function isAbsentFolder(live: LiveState, folder: string): boolean {
  return (live.absentFolders ?? []).some((a) => folder === a || folder.startsWith(`${a}/`));
}

/** The ledger's id wins (names are not unique on Databricks); otherwise the first match by name. */
export function findLive<T extends LiveCluster | LiveJob | LivePolicy>(
  items: readonly T[],
  ledgerId: string | undefined,
  idOf: (x: T) => string,
  byName: (x: T) => boolean,
): T | undefined {
  return (ledgerId !== undefined ? items.find((x) => idOf(x) === ledgerId) : undefined) ?? items.find(byName);
}
