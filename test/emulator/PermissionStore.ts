// Test infrastructure: the access-control lists of one workspace's jobs, clusters, cluster policies and folders.
// Rules (Permissions API, https://docs.databricks.com/api/azure/workspace/permissions):
// - GET answers the object's list: its own entries and the inherited ones (here the `admins` group's CAN_MANAGE
//   from the object type's root, as every workspace shows it), each principal with `all_permissions`;
// - PATCH "updates the permissions on an object": it sets the named principals' levels and keeps the others;
//   PUT "sets permissions ... replacing existing permissions": the named entries become the direct list;
// - the levels each object type takes ("Permission levels" of each object type): jobs CAN_VIEW, CAN_MANAGE_RUN,
//   IS_OWNER, CAN_MANAGE; clusters CAN_ATTACH_TO, CAN_RESTART, CAN_MANAGE; cluster policies CAN_USE;
//   directories CAN_READ, CAN_RUN, CAN_EDIT, CAN_MANAGE; another level is 400 INVALID_PARAMETER_VALUE;
// - a principal the workspace does not know is refused with 400 INVALID_PARAMETER_VALUE ("the principal ... does
//   not exist", databricks/terraform-provider-databricks#2302);
// - a job is owned by its creator (IS_OWNER, jobs/create: "the caller is the owner"); a PUT that names no owner
//   keeps the current one (modelled: a job always has exactly one owner);
// - an object that does not exist is 404 RESOURCE_DOES_NOT_EXIST.
import { ApiError } from './ApiError';
import type { JsonObject, JsonValue } from './JsonValue';

export type PermissionObjectType = 'jobs' | 'clusters' | 'cluster-policies' | 'directories';

export const LEVELS: Readonly<Record<PermissionObjectType, readonly string[]>> = {
  jobs: ['CAN_VIEW', 'CAN_MANAGE_RUN', 'IS_OWNER', 'CAN_MANAGE'],
  clusters: ['CAN_ATTACH_TO', 'CAN_RESTART', 'CAN_MANAGE'],
  'cluster-policies': ['CAN_USE'],
  directories: ['CAN_READ', 'CAN_RUN', 'CAN_EDIT', 'CAN_MANAGE'],
};

/** The answer's `object_type` for each path type. */
const OBJECT_TYPE_NAMES: Record<PermissionObjectType, string> = {
  jobs: 'job',
  clusters: 'cluster',
  'cluster-policies': 'cluster-policy',
  directories: 'directory',
};

const PRINCIPAL_FIELDS = ['user_name', 'group_name', 'service_principal_name'] as const;
type PrincipalField = (typeof PRINCIPAL_FIELDS)[number];

/** `group_name:admins` -> level. */
export type DirectEntries = Record<string, string>;

export interface PrincipalDirectory {
  user_name: Set<string>;
  group_name: Set<string>;
  service_principal_name: Set<string>;
}

export class PermissionStore {
  /** `jobs/123` -> direct entries. */
  private readonly lists = new Map<string, DirectEntries>();

  constructor(
    readonly principals: PrincipalDirectory,
    private readonly exists: (type: PermissionObjectType, id: string) => boolean,
    private readonly creatorUserName: string,
  ) {}

  get(type: PermissionObjectType, id: string): JsonObject {
    return this.answer(type, id, this.direct(type, id));
  }

  update(type: PermissionObjectType, id: string, body: JsonObject): JsonObject {
    const direct = { ...this.direct(type, id), ...this.entriesOf(type, body) };
    this.keepOneOwner(type, direct);
    this.lists.set(`${type}/${id}`, direct);
    return this.answer(type, id, direct);
  }

  set(type: PermissionObjectType, id: string, body: JsonObject): JsonObject {
    const named = this.entriesOf(type, body);
    const owner = Object.entries(this.direct(type, id)).find(([, level]) => level === 'IS_OWNER');
    const direct =
      type === 'jobs' && owner && !Object.values(named).includes('IS_OWNER')
        ? { [owner[0]]: owner[1], ...named }
        : named;
    this.lists.set(`${type}/${id}`, direct);
    return this.answer(type, id, direct);
  }

  /** The direct entries as stored (tests read and seed "hand-added" entries here). */
  direct(type: PermissionObjectType, id: string): DirectEntries {
    if (!this.exists(type, id)) {
      throw ApiError.doesNotExist(`${OBJECT_TYPE_NAMES[type]} ${id} does not exist.`);
    }
    const stored = this.lists.get(`${type}/${id}`);
    if (stored) return { ...stored };
    return type === 'jobs' ? { [`user_name:${this.creatorUserName}`]: 'IS_OWNER' } : {};
  }

  /** A hand-made change (the UI): sets one principal's level without the API's checks. */
  seed(type: PermissionObjectType, id: string, principal: string, level: string): void {
    this.lists.set(`${type}/${id}`, { ...this.direct(type, id), [principal]: level });
  }

  toJSON(): Record<string, DirectEntries> {
    return Object.fromEntries([...this.lists].map(([key, value]) => [key, { ...value }]));
  }

  restore(saved: Record<string, DirectEntries> | undefined): void {
    this.lists.clear();
    for (const [key, value] of Object.entries(saved ?? {})) this.lists.set(key, { ...value });
  }

  private entriesOf(type: PermissionObjectType, body: JsonObject): DirectEntries {
    const acl = body['access_control_list'];
    if (!Array.isArray(acl)) throw ApiError.invalidParameter('access_control_list must be an array');
    const out: DirectEntries = {};
    for (const entry of acl) {
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
        throw ApiError.invalidParameter('access_control_list entries must be objects');
      }
      const fields = PRINCIPAL_FIELDS.filter((f) => entry[f] !== undefined);
      const field = fields[0];
      const name = field ? entry[field] : undefined;
      if (fields.length !== 1 || field === undefined || typeof name !== 'string') {
        throw ApiError.invalidParameter(
          'Each entry must set exactly one of user_name, group_name, service_principal_name',
        );
      }
      const level = entry['permission_level'];
      if (typeof level !== 'string' || !LEVELS[type].includes(level)) {
        throw ApiError.invalidParameter(
          `Permission level ${String(level)} is not supported for ${OBJECT_TYPE_NAMES[type]}; use one of ${LEVELS[type].join(', ')}`,
        );
      }
      if (!this.principals[field].has(name)) {
        throw ApiError.invalidParameter(`Principal: ${principalLabel(field)}(${name}) does not exist`);
      }
      out[`${field}:${name}`] = level;
    }
    return out;
  }

  private keepOneOwner(type: PermissionObjectType, direct: DirectEntries): void {
    if (type !== 'jobs') return;
    const owners = Object.keys(direct).filter((key) => direct[key] === 'IS_OWNER');
    // A new owner replaces the old one; the old owner keeps no direct entry.
    for (const key of owners.slice(0, -1)) Reflect.deleteProperty(direct, key);
  }

  private answer(type: PermissionObjectType, id: string, direct: DirectEntries): JsonObject {
    const acl: JsonValue[] = Object.entries(direct)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, level]) => {
        const [field, ...rest] = key.split(':');
        return {
          [field ?? 'user_name']: rest.join(':'),
          all_permissions: [{ permission_level: level, inherited: false }],
        };
      });
    acl.push({
      group_name: 'admins',
      all_permissions: [
        { permission_level: 'CAN_MANAGE', inherited: true, inherited_from_object: [`/${type}/`] },
      ],
    });
    return { object_id: `/${type}/${id}`, object_type: OBJECT_TYPE_NAMES[type], access_control_list: acl };
  }
}

function principalLabel(field: PrincipalField): string {
  return { user_name: 'UserName', group_name: 'GroupName', service_principal_name: 'ServicePrincipalName' }[
    field
  ];
}
