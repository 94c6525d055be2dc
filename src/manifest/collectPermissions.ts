// Pure: the `permissions` lists of a bundle -> one permissions item per object, and the cluster specs and job
// settings without them (they are not clusters/create or jobs/create fields).
// Where they are written, as Databricks Asset Bundles users expect: a `permissions` list in the resource's own
// file (clusters/*.json, jobs/*.json, policies/*.json), and for the deployed notebook folder a top-level
// `permissions` list in bricklane.json (databricks.yml's top-level `permissions` likewise cover the bundle's
// workspace folder; here they cover that folder only). An entry names exactly one of `user_name`, `group_name`,
// `service_principal_name`, and a `permission_level` (`level`, the bundle spelling, is accepted too).
// Levels per object type are the Permissions API's (https://docs.databricks.com/api/azure/workspace/permissions):
// jobs CAN_VIEW, CAN_MANAGE_RUN, IS_OWNER, CAN_MANAGE; clusters CAN_ATTACH_TO, CAN_RESTART, CAN_MANAGE;
// cluster policies CAN_USE; directories CAN_READ, CAN_RUN, CAN_EDIT, CAN_MANAGE. Whether an entry is allowed at
// all is the operator's (checkBoundaries.ts), and IS_OWNER never is.
import type {
  AccessControlEntry,
  BundleOptions,
  ClusterItem,
  Diagnostic,
  JobItem,
  PermissionObjectType,
  PermissionsItem,
  PolicyItem,
} from './Bundle';
import { OPTIONS_FILE } from './Bundle';
import { jsonPath } from './jsonPath';
import { sha256OfJson } from './sha256OfJson';

export const PERMISSION_LEVELS_BY_OBJECT: Readonly<Record<PermissionObjectType, readonly string[]>> = {
  jobs: ['CAN_VIEW', 'CAN_MANAGE_RUN', 'IS_OWNER', 'CAN_MANAGE'],
  clusters: ['CAN_ATTACH_TO', 'CAN_RESTART', 'CAN_MANAGE'],
  'cluster-policies': ['CAN_USE'],
  directories: ['CAN_READ', 'CAN_RUN', 'CAN_EDIT', 'CAN_MANAGE'],
};

const PRINCIPAL_FIELDS = ['user_name', 'group_name', 'service_principal_name'] as const;

export interface CollectedPermissions {
  permissions: PermissionsItem[];
  clusters: ClusterItem[];
  jobs: JobItem[];
  diagnostics: Diagnostic[];
}

/** `raw` of each file, by bundle path: where the policies' lists are read from (PolicyItem has none). */
export function collectPermissions(
  items: { clusters: readonly ClusterItem[]; jobs: readonly JobItem[]; policies: readonly PolicyItem[] },
  policyFiles: ReadonlyMap<string, unknown>,
  options: BundleOptions,
): CollectedPermissions {
  const out: CollectedPermissions = { permissions: [], clusters: [], jobs: [], diagnostics: [] };
  const add = (
    raw: unknown,
    file: string,
    at: string[],
    object: { key: string; type: PermissionObjectType; target: string },
  ): void => {
    if (raw === undefined) return;
    const entries = readEntries(raw, file, at, object.type, out.diagnostics);
    if (!entries) return;
    const authoritative = options.authoritativePermissions;
    out.permissions.push({
      key: `permissions.${object.key}`,
      object: object.key,
      objectType: object.type,
      target: object.target,
      source: file,
      entries,
      authoritative,
      sha256: sha256OfJson({ entries, authoritative }),
    });
  };
  for (const cluster of items.clusters) {
    const { permissions, ...spec } = cluster.spec;
    add(permissions, cluster.source, ['permissions'], {
      key: cluster.key,
      type: 'clusters',
      target: cluster.name,
    });
    out.clusters.push(permissions === undefined ? cluster : { ...cluster, spec, sha256: sha256OfJson(spec) });
  }
  for (const job of items.jobs) {
    const { permissions, ...settings } = job.settings;
    add(permissions, job.source, ['permissions'], { key: job.key, type: 'jobs', target: job.name });
    out.jobs.push(permissions === undefined ? job : { ...job, settings, sha256: sha256OfJson(settings) });
  }
  for (const policy of items.policies) {
    const raw = policyFiles.get(policy.source);
    const permissions = isJson(raw) ? raw['permissions'] : undefined;
    add(permissions, policy.source, ['permissions'], {
      key: policy.key,
      type: 'cluster-policies',
      target: policy.name,
    });
  }
  add(options.permissions, OPTIONS_FILE, ['permissions'], {
    key: `directories.${options.notebookRoot}`,
    type: 'directories',
    target: options.notebookRoot,
  });
  out.permissions.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return out;
}

/** Who an entry names, for people and for matching: `group data-engineers`. */
export function principalOf(entry: Omit<AccessControlEntry, 'permission_level'>): string {
  for (const field of PRINCIPAL_FIELDS) {
    const value = entry[field];
    if (value !== undefined) return `${field.replace(/_name$/, '').replace('_', ' ')} ${value}`;
  }
  return 'nobody';
}

function readEntries(
  raw: unknown,
  file: string,
  at: string[],
  type: PermissionObjectType,
  diagnostics: Diagnostic[],
): AccessControlEntry[] | undefined {
  const error = (segments: PropertyKey[], summary: string): void => {
    diagnostics.push({
      severity: 'error',
      code: 'PERMISSIONS_INVALID',
      file,
      path: jsonPath(segments),
      summary,
    });
  };
  if (!Array.isArray(raw)) {
    error(
      at,
      '`permissions` must be a list of {user_name | group_name | service_principal_name, permission_level} entries.',
    );
    return undefined;
  }
  const levels = PERMISSION_LEVELS_BY_OBJECT[type];
  const entries: AccessControlEntry[] = [];
  const seen = new Set<string>();
  let valid = true;
  raw.forEach((entry: unknown, i) => {
    const here = [...at, i];
    const fields = isJson(entry) ? PRINCIPAL_FIELDS.filter((f) => entry[f] !== undefined) : [];
    const field = fields[0];
    const principal = isJson(entry) && field ? entry[field] : undefined;
    const level = isJson(entry) ? (entry['permission_level'] ?? entry['level']) : undefined;
    if (
      fields.length !== 1 ||
      field === undefined ||
      typeof principal !== 'string' ||
      principal.trim() === ''
    ) {
      valid = false;
      error(
        here,
        'Each permissions entry must name exactly one of user_name, group_name or service_principal_name.',
      );
      return;
    }
    if (typeof level !== 'string' || !levels.includes(level)) {
      valid = false;
      error(
        [...here, 'permission_level'],
        `\`permission_level\` ${JSON.stringify(level)} is not a level of ${type} (Permissions API: ${levels.join(', ')}).`,
      );
      return;
    }
    const normalized = {
      [field]: principal.trim(),
      permission_level: level,
    } as unknown as AccessControlEntry;
    const who = principalOf(normalized).toLowerCase();
    if (seen.has(who)) {
      valid = false;
      error(
        here,
        `names ${principalOf(normalized)} twice; give each principal one level (the highest it needs).`,
      );
      return;
    }
    seen.add(who);
    entries.push(normalized);
  });
  // In the file's order, so that a diagnostic's path (`$.permissions[1]`) points at the entry it is about.
  return valid ? entries : undefined;
}

function isJson(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
