// Pure: the boundaries of one environment from app settings: `BRICKLANE_<ENV>_<SETTING>`, else the
// app-wide `BRICKLANE_<SETTING>`, else the default. Every bad value is a problem (SettingsError), never
// ignored: a typo in an allow-list must not silently widen or empty it.
import {
  BOUNDARY_SETTINGS,
  boundarySettingKey,
  gitUrlKey,
  PERMISSION_LEVELS,
  type AllowedPermission,
  type Boundaries,
  type InitScriptTargetChoice,
  type PermissionLevel,
  type PrincipalKind,
} from '../manifest/Boundaries';
import { defaultInitScriptRoot, defaultNotebookRoot } from '../manifest/parseBundleOptions';

type Values = Readonly<Record<string, string | undefined>>;

/** `group:data-engineers=CAN_MANAGE_RUN`; the kind is user, group or servicePrincipal. */
const PERMISSION_ENTRY = /^(user|group|servicePrincipal):([^=]+)=([A-Z_]+)$/;

export function readBoundaries(
  values: Values,
  environment: string,
  project: string,
  problems: string[],
): Boundaries {
  const read = (boundary: keyof Boundaries): { key: string; items: string[] } | undefined => {
    const own = boundarySettingKey(environment, boundary);
    const shared = `BRICKLANE_${BOUNDARY_SETTINGS[boundary]}`;
    const key = values[own]?.trim() ? own : values[shared]?.trim() ? shared : undefined;
    if (key === undefined) return undefined;
    const items = (values[key] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    return { key, items };
  };
  const folders = (boundary: keyof Boundaries, check: (folder: string) => string | undefined): string[] => {
    const given = read(boundary);
    if (!given) return [];
    const out: string[] = [];
    for (const item of given.items) {
      const folder = item.replace(/\/+$/, '');
      const problem = check(folder);
      if (problem) problems.push(`${given.key}: "${item}" ${problem}`);
      else out.push(folder);
    }
    return out;
  };

  const workspaceRoots = read('workspaceRoots')
    ? folders('workspaceRoots', (f) =>
        f.startsWith('/Volumes/') || f === '/Volumes'
          ? 'is a Unity Catalog volume; list volumes for init scripts in VOLUME_ROOTS'
          : folderProblem(f, '/', 1, '/Shared/<project>'),
      )
    : [defaultNotebookRoot(project)];
  const volumeRoots = folders('volumeRoots', (f) =>
    f.startsWith('/Volumes/')
      ? folderProblem(f, '/', 4, '/Volumes/<catalog>/<schema>/<volume>')
      : 'must be a Unity Catalog volume folder, /Volumes/<catalog>/<schema>/<volume>[/...]',
  );
  const dbfsInitScriptRoots = folders('dbfsInitScriptRoots', (f) => {
    if (!f.startsWith('dbfs:/')) return 'must be a dbfs:/ folder, e.g. dbfs:/init-scripts/<project>';
    // Scripts under dbfs:/databricks/init were legacy global init scripts: they ran on every cluster.
    if (f === 'dbfs:/databricks' || f.startsWith('dbfs:/databricks/')) {
      return 'is a folder Databricks manages (dbfs:/databricks/init held global init scripts, run on every cluster); use a project folder such as dbfs:/init-scripts/<project>';
    }
    return folderProblem(f.slice('dbfs:'.length), 'dbfs:/', 2, 'dbfs:/init-scripts/<project>');
  });
  const runAs = (read('runAs')?.items ?? []).map((p) => p.toLowerCase());
  const permissions = readPermissions(read('permissions'), problems);
  const gitSources = folders('gitSources', (url) =>
    /^https:\/\/[^/\s@]+\/\S+$/.test(url)
      ? undefined
      : 'must be an https:// repository URL, e.g. https://github.com/<owner>/<name>',
  ).map(gitUrlKey);
  const adopt = read('adoptExisting');
  const adoptText = adopt?.items.join(',');
  if (adopt && adoptText !== 'true' && adoptText !== 'false') {
    problems.push(`${adopt.key} must be true or false, got "${adoptText}"`);
  }
  const initScriptTarget = readInitScriptTarget(read('initScriptTarget'), project, problems);
  return {
    workspaceRoots,
    volumeRoots,
    dbfsInitScriptRoots,
    runAs,
    permissions,
    gitSources,
    adoptExisting: adoptText === 'true',
    ...(initScriptTarget ? { initScriptTarget } : {}),
  };
}

/** `workspace`, `dbfs` or `volume:/Volumes/<catalog>/<schema>/<volume>[/...]`; the roots above bound it. */
function readInitScriptTarget(
  given: { key: string; items: string[] } | undefined,
  project: string,
  problems: string[],
): InitScriptTargetChoice | undefined {
  if (!given) return undefined;
  const value = given.items.join(',');
  const setting = `${given.key}=${value}`;
  if (value === 'workspace' || value === 'dbfs') {
    return { target: value, root: defaultInitScriptRoot(project, value), setting };
  }
  if (value.startsWith('volume:')) {
    const folder = value.slice('volume:'.length).replace(/\/+$/, '');
    const problem = folder.startsWith('/Volumes/')
      ? folderProblem(folder, '/', 4, '/Volumes/<catalog>/<schema>/<volume>')
      : 'must name a Unity Catalog volume folder';
    if (!problem) return { target: 'volume', root: folder, setting };
    problems.push(`${given.key}: "${value}" ${problem}, e.g. volume:/Volumes/main/ops/scripts/init-scripts`);
    return undefined;
  }
  problems.push(
    `${given.key} must be workspace, dbfs or volume:/Volumes/<catalog>/<schema>/<volume>[/...], got "${value}"`,
  );
  return undefined;
}

/** Why `folder` (an absolute path) cannot be a root, or undefined; `depth` is the least number of segments. */
function folderProblem(folder: string, shown: string, depth: number, example: string): string | undefined {
  if (!folder.startsWith('/')) return `must be an absolute folder such as ${example}`;
  const segments = folder.slice(1).split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..'))
    return 'must not have empty, "." or ".." segments';
  if (segments.length < depth)
    return `must be a folder at least ${depth} level(s) below ${shown}, such as ${example}`;
  return undefined;
}

function readPermissions(
  given: { key: string; items: string[] } | undefined,
  problems: string[],
): AllowedPermission[] {
  const out: AllowedPermission[] = [];
  for (const item of given?.items ?? []) {
    const match = PERMISSION_ENTRY.exec(item);
    const level = match?.[3] as PermissionLevel | undefined;
    if (!match || !level || !PERMISSION_LEVELS.includes(level)) {
      problems.push(
        `${given?.key}: "${item}" must be <user|group|servicePrincipal>:<name>=<level> with a level of ${PERMISSION_LEVELS.filter((l) => l !== 'IS_OWNER').join(', ')}, e.g. group:data-engineers=CAN_MANAGE_RUN`,
      );
    } else if (level === 'IS_OWNER') {
      problems.push(
        `${given?.key}: "${item}" cannot grant IS_OWNER: what bricklane deploys is owned by the identity that deploys it`,
      );
    } else {
      out.push({ kind: match[1] as PrincipalKind, principal: (match[2] ?? '').trim().toLowerCase(), level });
    }
  }
  return out;
}
