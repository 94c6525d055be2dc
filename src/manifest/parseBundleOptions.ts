// Pure: `bricklane.json` -> BundleOptions with seed-compatible defaults.
// Trust boundary: the bundle is code from a repository, so it may only choose how its own content is
// laid out. Environments, subscriptions, approvers and secrets are operator configuration (app
// settings, Key Vault); a bundle that tries to set them is rejected, never merged.
import { z } from 'zod';
import {
  OPTIONS_FILE,
  type BundleCheck,
  type BundleFile,
  type BundleOptions,
  type Diagnostic,
} from './Bundle';
import { diagnosticsFromZod } from './diagnosticsFromZod';
import { malformedJsonDiagnostic } from './malformedJsonDiagnostic';

/** A check's timeout when bricklane.json gives none, and the longest it may give (the stage waits that long). */
export const DEFAULT_CHECK_TIMEOUT_MINUTES = 30;
export const MAX_CHECK_TIMEOUT_MINUTES = 720;
/** Checks per bundle at most: each is polled on every round, and each run shows on the bounded status. */
export const MAX_CHECKS = 5;

/** The project when BRICKLANE_PROJECT is not set (the seed's name). */
export const DEFAULT_PROJECT = 'MyProject';
/** Where the seed pipeline uploaded init scripts; cluster files may still name scripts there. */
export const SEED_DBFS_INIT_SCRIPT_ROOT = 'dbfs:/init-scripts';

/**
 * The project's one deployment folder (the seed deployed one folder per project): where notebooks go when
 * bricklane.json names no root, and the workspace root the operator allows by default.
 */
export function defaultNotebookRoot(project: string): string {
  return `/Shared/${project}`;
}

/** A volume has no default: the operator's Unity Catalog names it, so `volume` requires `initScriptRoot`. */
export function defaultInitScriptRoot(project: string, target: BundleOptions['initScriptTarget']): string {
  return target === 'dbfs'
    ? `${SEED_DBFS_INIT_SCRIPT_ROOT}/${project}`
    : `${defaultNotebookRoot(project)}/init-scripts`;
}

const optionsSchema = z.strictObject({
  $schema: z.string().optional(),
  notebookRoot: z.string().optional(),
  keepNotebookExtensions: z.boolean().optional(),
  initScriptTarget: z.enum(['workspace', 'dbfs', 'volume']).optional(),
  initScriptRoot: z.string().optional(),
  clusterLifecycle: z.enum(['terminate', 'running', 'unchanged']).optional(),
  prune: z.boolean().optional(),
  // The deployed notebook folder's permissions; collectPermissions.ts checks the entries.
  permissions: z.array(z.unknown()).optional(),
  authoritativePermissions: z.boolean().optional(),
  // Jobs of the bundle run after each environment is applied (the operator chooses where: Settings.checks);
  // checkedChecks holds each to a job of the bundle.
  checks: z
    .array(
      z.strictObject({
        job: z.string().min(1),
        timeoutMinutes: z.number().int().min(1).max(MAX_CHECK_TIMEOUT_MINUTES).optional(),
      }),
    )
    .max(MAX_CHECKS)
    .optional(),
});
const KNOWN_KEYS = Object.keys(optionsSchema.shape);

/** Substrings (of the key, lower-cased, without `-`/`_`) that name operator-owned configuration. */
const OPERATOR_WORDS = [
  'environment',
  'approver',
  'approval',
  'subscription',
  'secret',
  'password',
  'credential',
  'token',
  'tenant',
  'clientid',
  'keyvault',
  'resourcegroup',
  'signingkey',
  'webhook',
];

export interface ParsedBundleOptions {
  options: BundleOptions;
  diagnostics: Diagnostic[];
}

/** `project` (BRICKLANE_PROJECT) names the default folders. */
export function parseBundleOptions(
  file: BundleFile | undefined,
  project: string = DEFAULT_PROJECT,
): ParsedBundleOptions {
  const diagnostics: Diagnostic[] = [];
  const raw = readObject(file, diagnostics);
  const known: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const operatorWord = OPERATOR_WORDS.find((word) => key.toLowerCase().replace(/[-_]/g, '').includes(word));
    if (operatorWord !== undefined && !KNOWN_KEYS.includes(key)) {
      diagnostics.push({
        severity: 'error',
        code: 'OPTIONS_OPERATOR_KEY',
        file: OPTIONS_FILE,
        path: `$.${key}`,
        summary: `\`${key}\` cannot be set by a bundle: environments, subscriptions, approvers and secrets are operator configuration (app settings and Key Vault), never bundle content; remove it from ${OPTIONS_FILE}.`,
      });
    } else if (!KNOWN_KEYS.includes(key)) {
      const near = KNOWN_KEYS.find((k) => k.toLowerCase() === key.toLowerCase().replace(/[-_]/g, ''));
      diagnostics.push({
        severity: 'error',
        code: 'OPTIONS_UNKNOWN_KEY',
        file: OPTIONS_FILE,
        path: `$.${key}`,
        summary: `Unknown option \`${key}\`${near ? ` (did you mean \`${near}\`?)` : ''}; ${OPTIONS_FILE} accepts only ${KNOWN_KEYS.filter((k) => k !== '$schema').join(', ')}.`,
      });
    } else known[key] = value;
  }

  const parsed = optionsSchema.safeParse(known);
  if (!parsed.success) {
    diagnostics.push(
      ...diagnosticsFromZod(parsed.error.issues, {
        file: OPTIONS_FILE,
        code: 'OPTIONS_INVALID',
        reference: 'bricklane.json options',
      }),
    );
  }
  // Invalid values fall back to defaults so that the rest of the bundle is still checked.
  const given = parsed.success ? parsed.data : {};
  const initScriptTarget = given.initScriptTarget ?? 'workspace';
  const options: BundleOptions = {
    notebookRoot:
      checkedFolder('notebookRoot', given.notebookRoot, 'workspace', project, diagnostics) ??
      defaultNotebookRoot(project),
    keepNotebookExtensions: given.keepNotebookExtensions ?? false,
    initScriptTarget,
    initScriptRoot:
      checkedFolder('initScriptRoot', given.initScriptRoot, initScriptTarget, project, diagnostics) ??
      defaultInitScriptRoot(project, initScriptTarget),
    clusterLifecycle: given.clusterLifecycle ?? 'terminate',
    prune: given.prune ?? false,
    ...(given.permissions !== undefined ? { permissions: given.permissions } : {}),
    authoritativePermissions: given.authoritativePermissions ?? false,
    ...(given.checks && given.checks.length > 0
      ? {
          checks: given.checks.map((c) => ({
            job: c.job,
            timeoutMinutes: c.timeoutMinutes ?? DEFAULT_CHECK_TIMEOUT_MINUTES,
          })),
        }
      : {}),
  };
  return { options, diagnostics };
}

/** Each check names a job of the bundle (by its `name`), once. */
export function checkedChecks(checks: readonly BundleCheck[], jobNames: ReadonlySet<string>): Diagnostic[] {
  const seen = new Set<string>();
  return checks.flatMap((check, i): Diagnostic[] => {
    const problem = !jobNames.has(check.job)
      ? `names job "${check.job}", which the bundle does not have; a check is a job of jobs/*.json, by its name${jobNames.size > 0 ? ` (${[...jobNames].slice(0, 5).join(', ')})` : ''}`
      : seen.has(check.job)
        ? `names job "${check.job}" a second time`
        : undefined;
    seen.add(check.job);
    return problem === undefined
      ? []
      : [
          {
            severity: 'error',
            code: 'OPTIONS_INVALID',
            file: OPTIONS_FILE,
            path: `$.checks[${i}].job`,
            summary: `checks[${i}] ${problem}.`,
          },
        ];
  });
}

function isVolumePath(path: string): boolean {
  return path === '/Volumes' || path.startsWith('/Volumes/');
}

function readObject(file: BundleFile | undefined, diagnostics: Diagnostic[]): Record<string, unknown> {
  if (file?.json === undefined) return {};
  if (!file.json.ok) {
    diagnostics.push(malformedJsonDiagnostic(OPTIONS_FILE, file.json));
    return {};
  }
  const value = file.json.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    diagnostics.push({
      severity: 'error',
      code: 'OPTIONS_INVALID',
      file: OPTIONS_FILE,
      path: '$',
      summary: `${OPTIONS_FILE} must hold a JSON object of options, e.g. {"notebookRoot": "/Shared/my-project"}.`,
    });
    return {};
  }
  return value as Record<string, unknown>;
}

/** A folder option, without trailing slashes, or undefined (default) when absent or invalid. */
function checkedFolder(
  key: 'notebookRoot' | 'initScriptRoot',
  value: string | undefined,
  kind: BundleOptions['initScriptTarget'],
  project: string,
  diagnostics: Diagnostic[],
): string | undefined {
  const workspaceExample =
    key === 'notebookRoot' ? defaultNotebookRoot(project) : defaultInitScriptRoot(project, 'workspace');
  const volumeExample = `/Volumes/main/${project.toLowerCase()}/init-scripts`;
  if (value === undefined && kind === 'volume') {
    diagnostics.push({
      severity: 'error',
      code: 'OPTIONS_INVALID',
      file: OPTIONS_FILE,
      path: `$.${key}`,
      summary: `initScriptTarget "volume" needs initScriptRoot, the Unity Catalog volume folder the scripts go to, e.g. "initScriptRoot": "${volumeExample}".`,
    });
  }
  if (value === undefined) return undefined;
  const trimmed = value.length > 1 ? value.replace(/\/+$/, '') : value;
  const isDbfs = trimmed.startsWith('dbfs:/');
  const folder = isDbfs ? trimmed.slice('dbfs:'.length) : trimmed;
  let problem: string | undefined;
  if (key === 'notebookRoot' && isDbfs) {
    problem = `must be a workspace folder such as ${workspaceExample}; notebooks cannot live in DBFS`;
  } else if (kind === 'workspace' && isDbfs) {
    problem = `is a DBFS path, but initScriptTarget is "workspace"; set "initScriptTarget": "dbfs" or use a workspace folder such as ${workspaceExample}`;
  } else if (key === 'notebookRoot' && isVolumePath(trimmed)) {
    problem = `must be a workspace folder such as ${workspaceExample}; notebooks cannot live in a Unity Catalog volume`;
  } else if (kind === 'workspace' && isVolumePath(trimmed)) {
    problem = `is a Unity Catalog volume path, but initScriptTarget is "workspace"; set "initScriptTarget": "volume"`;
  } else if (kind === 'volume' && !(isVolumePath(trimmed) && trimmed.split('/').length >= 5)) {
    problem = `must be a Unity Catalog volume folder, /Volumes/<catalog>/<schema>/<volume>[/...], when initScriptTarget is "volume", such as ${volumeExample}`;
  } else if (kind === 'dbfs' && !isDbfs) {
    problem = `must be a dbfs:/ path when initScriptTarget is "dbfs", such as ${defaultInitScriptRoot(project, 'dbfs')}`;
  } else if (!folder.startsWith('/')) {
    problem = `must be an absolute workspace path such as ${workspaceExample}`;
  } else if (folder === '/') {
    problem = 'must name a folder below the root, not the root itself';
  } else if (
    folder
      .split('/')
      .slice(1)
      .some((s) => s === '' || s === '.' || s === '..')
  ) {
    problem = 'must not contain empty, "." or ".." segments';
  }
  if (problem === undefined) return trimmed;
  diagnostics.push({
    severity: 'error',
    code: 'OPTIONS_INVALID',
    file: OPTIONS_FILE,
    path: `$.${key}`,
    summary: `${key} ${JSON.stringify(value)} ${problem}.`,
  });
  return undefined;
}
