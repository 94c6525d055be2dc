// Pure: a valid bundle against the boundaries of every environment it is released to -> every crossing,
// at once. The operator sets the boundaries (app settings); the bundle only chooses inside them. Fields:
// Jobs API `run_as`, `access_control_list`, `git_source` (https://docs.databricks.com/api/azure/workspace/jobs/create)
// and the 2.0 form's `run_as_user_name`; cluster-scoped init scripts and their storage types
// (https://learn.microsoft.com/azure/databricks/init-scripts/cluster-scoped); DBFS init scripts are
// deprecated (https://learn.microsoft.com/azure/databricks/init-scripts/#migrate-dbfs).
import type { Bundle, Diagnostic, ExternalInitScript, LoadResult } from './Bundle';
import { OPTIONS_FILE } from './Bundle';
import {
  BOUNDARY_SETTINGS,
  boundarySettingKey,
  gitUrlKey,
  isInsideAny,
  PRINCIPAL_KINDS,
  type Boundaries,
  type PrincipalKind,
} from './Boundaries';
import { canonicalJson } from './canonicalJson';
import { checkSecretAcls } from './checkSecretAcls';
import { jsonPath } from './jsonPath';
import { retargetInitScripts } from './retargetInitScripts';

export interface EnvironmentBoundaries {
  name: string;
  boundaries: Boundaries;
}

/** A commit id: 7 to 40 hex characters (a branch or tag moves; a commit does not). */
const COMMIT = /^[0-9a-f]{7,40}$/i;

type Json = Record<string, unknown>;

export function checkBoundaries(
  bundle: Bundle,
  environments: readonly EnvironmentBoundaries[],
): Diagnostic[] {
  // Environments with the same boundaries are checked once, so a crossing is reported once for all of them.
  const groups = new Map<string, EnvironmentBoundaries[]>();
  for (const env of environments) {
    const key = canonicalJson(env.boundaries);
    groups.set(key, [...(groups.get(key) ?? []), env]);
  }
  return [...groups.values()].flatMap((group) => checkGroup(bundle, group));
}

/** A loaded bundle held to the boundaries: invalid (no bundle) when it crosses one, every crossing listed. */
export function holdToBoundaries(
  loaded: LoadResult,
  environments: readonly EnvironmentBoundaries[],
): LoadResult {
  if (!loaded.bundle) return loaded;
  const crossings = checkBoundaries(loaded.bundle, environments);
  if (crossings.length === 0) return loaded;
  return { diagnostics: [...crossings, ...loaded.diagnostics] };
}

function checkGroup(files: Bundle, group: readonly EnvironmentBoundaries[]): Diagnostic[] {
  const b = group[0]?.boundaries;
  if (!b) return [];
  // The bundle as these environments deploy it: the operator may have chosen where their init scripts go.
  const bundle = retargetInitScripts(files, b.initScriptTarget);
  const names = group.map((e) => e.name);
  const where = names.length === 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  const setting = (boundary: keyof Boundaries): string =>
    names.length === 1
      ? boundarySettingKey(names[0] ?? '', boundary)
      : `BRICKLANE_${BOUNDARY_SETTINGS[boundary]} (or BRICKLANE_<ENV>_${BOUNDARY_SETTINGS[boundary]})`;
  const out: Diagnostic[] = [];
  const refuse = (code: string, file: string, path: string | undefined, summary: string): void => {
    out.push({ severity: 'error', code, file, ...(path ? { path } : {}), summary });
  };
  const list = (items: readonly string[]): string => (items.length > 0 ? items.join(', ') : 'none');

  // Where bricklane writes: the roots the bundle chose, then every target (the roots contain them, but
  // each write is checked on its own).
  const workspaceItems = [...bundle.notebooks, ...bundle.files];
  const { notebookRoot, initScriptRoot, initScriptTarget } = bundle.options;
  const notebookRootInside = isInsideAny(notebookRoot, b.workspaceRoots);
  if (workspaceItems.length > 0 && !notebookRootInside) {
    refuse(
      'BOUNDARY_WORKSPACE_ROOT',
      OPTIONS_FILE,
      '$.notebookRoot',
      `notebookRoot ${JSON.stringify(notebookRoot)} is outside the workspace folders allowed in ${where} (${list(b.workspaceRoots)}); bricklane writes notebooks and files only there: choose a sub-folder of one, or ask the operator to add the folder to ${setting('workspaceRoots')}.`,
    );
  }
  const scriptRoots = b[SCRIPT_ROOTS[initScriptTarget].boundary];
  const scriptRootInside = isInsideAny(initScriptRoot, scriptRoots);
  if (bundle.initScripts.length > 0 && initScriptTarget === 'dbfs' && b.dbfsInitScriptRoots.length === 0) {
    refuse(
      'BOUNDARY_DBFS_INIT_SCRIPTS',
      OPTIONS_FILE,
      '$.initScriptTarget',
      b.initScriptTarget?.target === 'dbfs'
        ? `${b.initScriptTarget.setting} keeps init scripts on DBFS in ${where}, but ${setting('dbfsInitScriptRoots')} allows no DBFS folder: set it to a project folder such as dbfs:/init-scripts/<project>, or choose workspace or volume:<folder>.`
        : `initScriptTarget "dbfs" is not allowed in ${where}: DBFS init scripts are deprecated and off unless the operator opts in; use "workspace" (the default), or ask the operator to set ${setting('dbfsInitScriptRoots')} to a project folder such as dbfs:/init-scripts/<project>.`,
    );
  } else if (bundle.initScripts.length > 0 && !scriptRootInside) {
    refuse(
      'BOUNDARY_INIT_SCRIPT_ROOT',
      OPTIONS_FILE,
      '$.initScriptRoot',
      `initScriptRoot ${JSON.stringify(initScriptRoot)} is outside the ${SCRIPT_ROOTS[initScriptTarget].label} folders allowed for init scripts in ${where} (${list(scriptRoots)}); choose a sub-folder of one, or ask the operator to add it to ${setting(SCRIPT_ROOTS[initScriptTarget].boundary)}.`,
    );
  }
  const targets = [
    ...(notebookRootInside ? workspaceItems.map((i) => ({ item: i, roots: b.workspaceRoots })) : []),
    ...(scriptRootInside ? bundle.initScripts.map((i) => ({ item: i, roots: scriptRoots })) : []),
  ];
  for (const { item, roots } of targets) {
    if (!isInsideAny(item.target, roots)) {
      refuse(
        'BOUNDARY_WORKSPACE_ROOT',
        item.source,
        undefined,
        `${item.source} deploys to ${JSON.stringify(item.target)}, outside the folders allowed in ${where} (${list(roots)}); rename the file or choose another root.`,
      );
    }
  }

  const initScript = (file: string, script: ExternalInitScript): void => {
    const problem = initScriptProblem(script, b);
    if (problem === undefined) return;
    refuse(
      'BOUNDARY_INIT_SCRIPT',
      file,
      script.path,
      `Init script ${JSON.stringify(script.destination)} (${script.type}) ${problem} in ${where}; init scripts run as root on every node, so they may come only from workspace files under ${list(b.workspaceRoots)} (${setting('workspaceRoots')}), Unity Catalog volumes under ${list(b.volumeRoots)} (${setting('volumeRoots')})${b.dbfsInitScriptRoots.length > 0 ? ` or DBFS under ${list(b.dbfsInitScriptRoots)}` : ''}; put the script in the bundle's init-scripts/ or ask the operator.`,
    );
  };
  const check: Check = { b, where, setting, refuse };
  for (const cluster of bundle.clusters) {
    for (const script of cluster.externalInitScripts ?? []) initScript(cluster.source, script);
    checkAccessControl(cluster.spec['access_control_list'], 'access_control_list', cluster.source, check);
  }
  for (const job of bundle.jobs) {
    for (const script of job.externalInitScripts ?? []) initScript(job.source, script);
    checkRunAs(job.settings, job.source, check);
    checkAccessControl(job.settings['access_control_list'], 'access_control_list', job.source, check);
    checkGitSource(job.settings, job.source, check);
  }
  // Declared `permissions` (collectPermissions.ts) are held to the same allow-list as access_control_list.
  for (const item of bundle.permissions) checkAccessControl(item.entries, 'permissions', item.source, check);
  out.push(...checkSecretAcls(bundle.secrets, b, where, setting('permissions')));
  return out;
}

/** The boundary that holds the folders of each init-script target (volumes: the operator's VOLUME_ROOTS). */
const SCRIPT_ROOTS = {
  workspace: { boundary: 'workspaceRoots', label: 'workspace' },
  volume: { boundary: 'volumeRoots', label: 'Unity Catalog volume' },
  dbfs: { boundary: 'dbfsInitScriptRoots', label: 'DBFS' },
} as const satisfies Record<
  Bundle['options']['initScriptTarget'],
  { boundary: keyof Boundaries; label: string }
>;

/** One group of environments' boundaries, how to name them, and where crossings go. */
interface Check {
  b: Boundaries;
  /** The environments, for people: `dev`, `dev, qa and prod`. */
  where: string;
  /** The app setting to change, for people. */
  setting: (boundary: keyof Boundaries) => string;
  refuse: (code: string, file: string, path: string | undefined, summary: string) => void;
}

/** Why an init script location is refused, or undefined when it is allowed. */
function initScriptProblem(script: ExternalInitScript, b: Boundaries): string | undefined {
  const { type, destination } = script;
  if (type === 'workspace') {
    return isInsideAny(destination, b.workspaceRoots)
      ? undefined
      : 'is outside the allowed workspace folders';
  }
  if (type === 'volumes') {
    return destination.startsWith('/Volumes/') && isInsideAny(destination, b.volumeRoots)
      ? undefined
      : 'is outside the allowed Unity Catalog volumes';
  }
  if (type === 'dbfs') {
    if (b.dbfsInitScriptRoots.length === 0) return 'is on DBFS, which is off';
    return isInsideAny(destination, b.dbfsInitScriptRoots)
      ? undefined
      : 'is outside the allowed DBFS folders';
  }
  return `uses storage type "${type}", which is not allowed`;
}

function checkRunAs(settings: Json, file: string, { b, where, setting, refuse }: Check): void {
  const asked: { principal: unknown; path: string }[] = [];
  const runAs = settings['run_as'];
  if (runAs !== undefined) {
    if (isJson(runAs) && Object.keys(runAs).length > 0) {
      for (const [field, principal] of Object.entries(runAs))
        asked.push({ principal, path: jsonPath(['run_as', field]) });
    } else asked.push({ principal: runAs, path: '$.run_as' });
  }
  if (settings['run_as_user_name'] !== undefined) {
    asked.push({ principal: settings['run_as_user_name'], path: '$.run_as_user_name' });
  }
  for (const { principal, path } of asked) {
    if (typeof principal === 'string' && b.runAs.includes(principal.trim().toLowerCase())) continue;
    refuse(
      'BOUNDARY_RUN_AS',
      file,
      path,
      `run_as ${JSON.stringify(principal)} is not allowed in ${where} (allowed: ${b.runAs.length > 0 ? b.runAs.join(', ') : 'none, so jobs run as the identity that deploys them'}); remove it, or ask the operator to add the principal to ${setting('runAs')}.`,
    );
  }
}

function checkAccessControl(
  acl: unknown,
  list: 'access_control_list' | 'permissions',
  file: string,
  { b, where, setting, refuse }: Check,
): void {
  if (acl === undefined) return;
  if (!Array.isArray(acl)) {
    refuse(
      'BOUNDARY_PERMISSION',
      file,
      `$.${list}`,
      `${list} must be a list of {user_name | group_name | service_principal_name, permission_level} entries.`,
    );
    return;
  }
  const allowed = b.permissions.map((p) => `${p.kind}:${p.principal}=${p.level}`);
  acl.forEach((entry: unknown, i) => {
    const path = jsonPath([list, i]);
    const principals = isJson(entry)
      ? (Object.entries(PRINCIPAL_KINDS) as [PrincipalKind, string][]).filter(
          ([, field]) => entry[field] !== undefined,
        )
      : [];
    const level = isJson(entry) ? entry['permission_level'] : undefined;
    const [kind, field] = principals[0] ?? [];
    const principal = isJson(entry) && field ? entry[field] : undefined;
    if (
      principals.length !== 1 ||
      kind === undefined ||
      typeof principal !== 'string' ||
      typeof level !== 'string'
    ) {
      refuse(
        'BOUNDARY_PERMISSION',
        file,
        path,
        `Each ${list} entry must name exactly one user_name, group_name or service_principal_name and a permission_level.`,
      );
      return;
    }
    const named = `${kind}:${principal.trim().toLowerCase()}=${level}`;
    if (level === 'IS_OWNER') {
      refuse(
        'BOUNDARY_IS_OWNER',
        file,
        path,
        `grants IS_OWNER to ${kind} ${JSON.stringify(principal)}: what bricklane deploys is owned by the identity that deploys it (jobs/create makes the caller the owner), and a bundle cannot hand ownership to anyone; remove the entry.`,
      );
    } else if (!allowed.includes(named)) {
      refuse(
        'BOUNDARY_PERMISSION',
        file,
        path,
        `grants ${level} to ${kind} ${JSON.stringify(principal)}, which is not allowed in ${where} (allowed: ${allowed.length > 0 ? allowed.join(', ') : 'none'}); remove the entry, or ask the operator to add "${kind}:${principal}=${level}" to ${setting('permissions')}.`,
      );
    }
  });
}

function checkGitSource(settings: Json, file: string, { b, where, setting, refuse }: Check): void {
  const source = settings['git_source'];
  if (source === undefined) return;
  const url = isJson(source) ? source['git_url'] : undefined;
  if (typeof url !== 'string' || !b.gitSources.includes(gitUrlKey(url))) {
    refuse(
      'BOUNDARY_GIT_SOURCE',
      file,
      isJson(source) ? '$.git_source.git_url' : '$.git_source',
      `git_source ${JSON.stringify(url ?? source)} is not a repository allowed in ${where} (allowed: ${b.gitSources.length > 0 ? b.gitSources.join(', ') : 'none'}); a job that runs code from a repository runs whatever that repository holds: deploy the notebooks from the bundle, or ask the operator to add the URL to ${setting('gitSources')}.`,
    );
  }
  if (!isJson(source)) return;
  for (const moving of ['git_branch', 'git_tag'] as const) {
    if (source[moving] !== undefined) {
      refuse(
        'BOUNDARY_GIT_SOURCE_UNPINNED',
        file,
        jsonPath(['git_source', moving]),
        `git_source names a ${moving === 'git_branch' ? 'branch' : 'tag'}, which can move after approval; pin it with "git_commit": "<commit id>" instead.`,
      );
    }
  }
  const commit = source['git_commit'];
  if (typeof commit !== 'string' || !COMMIT.test(commit)) {
    refuse(
      'BOUNDARY_GIT_SOURCE_UNPINNED',
      file,
      '$.git_source.git_commit',
      `git_source must be pinned to a commit: "git_commit" must be 7 to 40 hex characters${commit === undefined ? '' : `, got ${JSON.stringify(commit)}`}.`,
    );
  }
}

function isJson(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
