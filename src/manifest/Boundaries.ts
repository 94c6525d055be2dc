// Pure: the boundaries the operator sets per environment (app settings, never the bundle), and the
// path tests they rest on. A bundle that crosses one is invalid (checkBoundaries.ts); nothing of it deploys.

/**
 * Permission levels a bundle's access-control list may grant: the Permissions API's levels of jobs, clusters,
 * cluster policies (CAN_USE) and folders (CAN_READ, CAN_RUN, CAN_EDIT).
 */
export const PERMISSION_LEVELS = [
  'CAN_VIEW',
  'CAN_MANAGE_RUN',
  'CAN_MANAGE',
  'CAN_ATTACH_TO',
  'CAN_RESTART',
  'CAN_USE',
  'CAN_READ',
  'CAN_RUN',
  'CAN_EDIT',
  // Secret scope ACLs (Secrets API acls/put): checkSecretAcls.ts.
  'READ',
  'WRITE',
  'MANAGE',
  'IS_OWNER',
] as const;
export type PermissionLevel = (typeof PERMISSION_LEVELS)[number];

/** The principal kinds of an `access_control_list` entry, as the settings spell them. */
export const PRINCIPAL_KINDS = {
  user: 'user_name',
  group: 'group_name',
  servicePrincipal: 'service_principal_name',
} as const;
export type PrincipalKind = keyof typeof PRINCIPAL_KINDS;

export interface AllowedPermission {
  kind: PrincipalKind;
  /** Lower-cased: user names (e-mail) and application ids compare case-insensitively. */
  principal: string;
  level: PermissionLevel;
}

export interface Boundaries {
  /** Workspace folders notebooks, files and workspace init scripts may be written to (default `/Shared/<project>`). */
  workspaceRoots: string[];
  /** Unity Catalog volume folders (`/Volumes/<catalog>/<schema>/<volume>/...`) init scripts may come from. */
  volumeRoots: string[];
  /** DBFS folders init scripts may be written to or come from; empty (the default): DBFS is refused. */
  dbfsInitScriptRoots: string[];
  /** Principals jobs may run as (`run_as`, `run_as_user_name`), lower-cased; empty: no run_as at all. */
  runAs: string[];
  /** What a bundle's access-control lists may grant; empty: no access-control list at all. */
  permissions: AllowedPermission[];
  /** Repository URLs `git_source` may name (normalized by gitUrlKey); empty: no git_source. */
  gitSources: string[];
  /** Overwrite objects in an allowed root that bricklane did not deploy (plan action `adopt`). */
  adoptExisting: boolean;
  /**
   * Not a bound but the operator's choice, held to the bounds above: where this environment's init scripts
   * deploy, over the bundle's `initScriptTarget` (retargetInitScripts.ts). Absent: the bundle's choice.
   */
  initScriptTarget?: InitScriptTargetChoice;
}

/**
 * `BRICKLANE_<ENV>_INIT_SCRIPT_TARGET` (or app-wide `BRICKLANE_INIT_SCRIPT_TARGET`): `workspace`, `dbfs` (for
 * workspaces that still need DBFS init scripts) or `volume:/Volumes/<catalog>/<schema>/<volume>/...`.
 */
export interface InitScriptTargetChoice {
  target: 'workspace' | 'dbfs' | 'volume';
  /**
   * The folder: the volume folder of `volume:`, else the project's default folder for the target (for
   * workspace and dbfs, a bundle that chose the same target keeps its own `initScriptRoot`).
   */
  root: string;
  /** What chose it, for warnings: `BRICKLANE_QA_INIT_SCRIPT_TARGET=dbfs`. */
  setting: string;
}

/** The boundary settings, by the suffix of their app-setting name. */
export const BOUNDARY_SETTINGS = {
  workspaceRoots: 'WORKSPACE_ROOTS',
  volumeRoots: 'VOLUME_ROOTS',
  dbfsInitScriptRoots: 'DBFS_INIT_SCRIPT_ROOTS',
  runAs: 'RUN_AS',
  permissions: 'PERMISSIONS',
  gitSources: 'GIT_SOURCES',
  adoptExisting: 'ADOPT_EXISTING',
  initScriptTarget: 'INIT_SCRIPT_TARGET',
} as const satisfies Record<keyof Boundaries, string>;

/** `BRICKLANE_DEV_WORKSPACE_ROOTS`: the per-environment app setting of a boundary. */
export function boundarySettingKey(environment: string, boundary: keyof Boundaries): string {
  return `BRICKLANE_${environment.toUpperCase()}_${BOUNDARY_SETTINGS[boundary]}`;
}

/**
 * True when `path` is `root` or below it, segment by segment: `/Shared/proj-evil` is not inside
 * `/Shared/proj`. A path with empty, `.` or `..` segments is never inside anything.
 */
export function isInsideRoot(path: string, root: string): boolean {
  const segments = (p: string): string[] | undefined => {
    const scheme = /^dbfs:/.test(p) ? 'dbfs:' : '';
    const rest = p.slice(scheme.length);
    if (!rest.startsWith('/')) return undefined;
    const parts = rest.slice(1).replace(/\/+$/, '').split('/');
    if (parts.some((s) => s === '' || s === '.' || s === '..')) return undefined;
    return [scheme, ...parts];
  };
  const p = segments(path);
  const r = segments(root);
  if (!p || !r || p.length < r.length) return false;
  return r.every((segment, i) => p[i] === segment);
}

export function isInsideAny(path: string, roots: readonly string[]): boolean {
  return roots.some((root) => isInsideRoot(path, root));
}

/** A repository URL compared without case, scheme, credentials, trailing slash or `.git`. */
export function gitUrlKey(url: string): string {
  return url
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .replace(/^[^@/]*@/, '')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
}
