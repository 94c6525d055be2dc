// Pure: one job file -> Jobs 2.2 settings (the 2.1 body, unchanged) whose references point at what this bundle
// deploys.
// Clusters are referenced by name (`existing_cluster_name`, or the seed's `existing_cluster_id`
// holding a name) and stay names here: ids differ per workspace, so apply swaps them in. Relative
// notebook paths become deployed workspace paths.
import type {
  BundleOptions,
  Diagnostic,
  ExternalInitScript,
  InitScriptItem,
  NotebookItem,
  WorkspaceFileItem,
} from './Bundle';
import { convertSingleTaskJob, SINGLE_TASK_KEYS, TASK_TYPE_KEYS } from './convertSingleTaskJob';
import { isRelativeReference, type ReferenceIndex } from './createReferenceIndex';
import { diagnosticsFromZod } from './diagnosticsFromZod';
import { jobSettingsSchema } from './jobSettingsSchema';
import { fieldLabel } from './fieldLabel';
import { jsonPath } from './jsonPath';
import { resolveInitScripts } from './resolveInitScripts';

/** Workspace cluster ids (`0123-456789-abcdefgh`) pass through as literal `existing_cluster_id`. */
export const CLUSTER_ID_PATTERN = /^\d{4}-\d{6}-[a-z0-9]+$/;

const REFERENCE = 'Jobs API 2.2 jobs/create';

export interface JobContext {
  file: string;
  options: BundleOptions;
  /** Every cluster name the bundle defines. */
  clusterNames: ReadonlySet<string>;
  workspace: ReferenceIndex<NotebookItem | WorkspaceFileItem>;
  initScripts: readonly InitScriptItem[];
  initScriptIndex: ReferenceIndex<InitScriptItem>;
}

export interface NormalizedJob {
  /** The job's name when the file has one, also when it has errors (for duplicate detection). */
  name?: string;
  settings?: Record<string, unknown>;
  clusterRefs: string[];
  notebookRefs: string[];
  /** Init scripts the job's clusters run from outside the bundle. */
  externalInitScripts: ExternalInitScript[];
  diagnostics: Diagnostic[];
}

type Segments = readonly PropertyKey[];
type Json = Record<string, unknown>;

export function normalizeJob(raw: unknown, ctx: JobContext): NormalizedJob {
  const diagnostics: Diagnostic[] = [];
  const clusterRefs = new Set<string>();
  const notebookRefs = new Set<string>();
  const externalInitScripts: ExternalInitScript[] = [];
  let pathOf = jsonPath;
  const error = (at: Segments, code: string, summary: string): void => {
    diagnostics.push({
      severity: 'error',
      code,
      file: ctx.file,
      path: pathOf(at),
      summary: `${fieldLabel(at, 'The job')} ${summary}`,
    });
  };
  /** A seed-era form that still deploys as it is: said once, with where `validate --upgrade` shows the change. */
  const deprecated = (at: Segments, code: string, summary: string): void => {
    diagnostics.push({ severity: 'warning', code, file: ctx.file, path: pathOf(at), summary });
  };

  if (!isJson(raw)) {
    error(
      [],
      'JOB_INVALID',
      `must be one JSON object: the ${REFERENCE} request body, or the seed's 2.0 single-task form.`,
    );
    return { clusterRefs: [], notebookRefs: [], externalInitScripts, diagnostics };
  }
  const name = typeof raw['name'] === 'string' && /\S/.test(raw['name']) ? raw['name'] : undefined;
  if (name === undefined) {
    error(
      ['name'],
      'JOB_NAME_MISSING',
      'is required: bricklane recognises a job across deploys by its name; add "name": "<job name>".',
    );
  }
  if ('job_id' in raw) {
    error(
      ['job_id'],
      'JOB_ID_FORBIDDEN',
      isJson(raw['settings'])
        ? 'and `settings` show a jobs/get response; put the contents of "settings" at the top level and remove job_id (ids differ per workspace).'
        : 'must not be in the bundle: each workspace assigns its own job ids, and bricklane finds the job by name; remove job_id.',
    );
  }

  const singleTaskKeys = Object.keys(raw).filter((key) => SINGLE_TASK_KEYS.has(key));
  const hasTasks = raw['tasks'] !== undefined;
  if (hasTasks && singleTaskKeys.some((key) => key !== 'timeout_seconds')) {
    const first = singleTaskKeys.find((key) => key !== 'timeout_seconds') ?? '';
    error(
      [first],
      'JOB_MIXED_FORMS',
      'belongs to a task, but the job also has `tasks`; move it into a task (Jobs 2.1) or remove `tasks` (the 2.0 single-task form).',
    );
  } else if (!hasTasks && !singleTaskKeys.some((key) => TASK_TYPE_KEYS.has(key))) {
    error(
      [],
      'JOB_NO_TASK',
      `defines nothing to run; add "tasks" (Jobs 2.1) or a top-level task such as "notebook_task" (the 2.0 form).`,
    );
  }
  const converted = !hasTasks && singleTaskKeys.length > 0;
  const settings: Json = converted ? convertSingleTaskJob(raw) : structuredClone(raw);
  // A converted job reports problems where the user wrote them: `$.tasks[0].x` is `$.x` in the file.
  if (converted) pathOf = (at) => (at[0] === 'tasks' && at[1] === 0 ? jsonPath(at.slice(2)) : jsonPath(at));
  if (converted && name !== undefined)
    deprecated(
      [],
      'JOB_SINGLE_TASK_FORM',
      `Job ${JSON.stringify(name)} is in the Jobs API 2.0 single-task form, which Jobs 2.1 replaced with "tasks"; it deploys as one task, and \`bricklane validate --upgrade\` shows the 2.1 form to write.`,
    );

  const parsed = jobSettingsSchema.safeParse(settings);
  if (!parsed.success) {
    diagnostics.push(
      ...diagnosticsFromZod(parsed.error.issues, {
        file: ctx.file,
        code: 'JOB_INVALID',
        reference: REFERENCE,
        pathOf,
      }),
    );
  }

  const resolveNewCluster = (cluster: unknown, at: Segments): void => {
    if (!isJson(cluster) || cluster['init_scripts'] === undefined) return;
    const resolved = resolveInitScripts(cluster['init_scripts'], [...at, 'init_scripts'], {
      file: ctx.file,
      options: ctx.options,
      initScripts: ctx.initScripts,
      index: ctx.initScriptIndex,
      pathOf,
    });
    diagnostics.push(...resolved.diagnostics);
    externalInitScripts.push(...resolved.external);
    cluster['init_scripts'] = resolved.value;
  };

  const jobClusterKeys = collectKeys(
    settings,
    'job_clusters',
    'job_cluster_key',
    'job cluster',
    error,
    (c, i) => resolveNewCluster(c['new_cluster'], ['job_clusters', i, 'new_cluster']),
  );
  const environmentKeys = collectKeys(
    settings,
    'environments',
    'environment_key',
    'environment',
    error,
    (e, i) =>
      checkEnvironmentSpec(e['spec'], ['environments', i, 'spec'], error, (at, summary) =>
        diagnostics.push({
          severity: 'warning',
          code: 'JOB_ENVIRONMENT_CLIENT_DEPRECATED',
          file: ctx.file,
          path: pathOf(at),
          summary,
        }),
      ),
  );

  const normalizeTask = (task: Json, at: Segments): void => {
    checkServerlessTask(task, at, environmentKeys, error);
    // Compute: one of a bundle cluster (by name), a literal cluster id, a job cluster, a new cluster.
    const byName = task['existing_cluster_name'];
    const byId = task['existing_cluster_id'];
    const known = [...ctx.clusterNames].sort().join(', ') || 'none';
    if (byName !== undefined && byId !== undefined) {
      error(
        [...at, 'existing_cluster_id'],
        'JOB_CLUSTER_REF_CONFLICT',
        'and existing_cluster_name are both set; keep existing_cluster_name with the name of a bundle cluster.',
      );
    } else if (typeof byId === 'string') {
      if (ctx.clusterNames.has(byId)) {
        // Inside a 2.0 single-task job the warning above covers it.
        if (!converted)
          deprecated(
            [...at, 'existing_cluster_id'],
            'JOB_CLUSTER_NAME_IN_ID',
            `existing_cluster_id holds the cluster name ${JSON.stringify(byId)} (the seed's way); it deploys with the cluster's id, and "existing_cluster_name": ${JSON.stringify(byId)} says the same plainly.`,
          );
        delete task['existing_cluster_id'];
        task['existing_cluster_name'] = byId;
        clusterRefs.add(byId);
      } else if (!CLUSTER_ID_PATTERN.test(byId)) {
        error(
          [...at, 'existing_cluster_id'],
          'JOB_UNKNOWN_CLUSTER',
          `names cluster ${JSON.stringify(byId)}, which this bundle does not define (clusters: ${known}); use the cluster_name of a clusters/*.json file, or a real cluster id such as 0123-456789-abcdefgh.`,
        );
      }
    } else if (typeof byName === 'string') {
      if (ctx.clusterNames.has(byName)) clusterRefs.add(byName);
      else
        error(
          [...at, 'existing_cluster_name'],
          'JOB_UNKNOWN_CLUSTER',
          `names cluster ${JSON.stringify(byName)}, which this bundle does not define (clusters: ${known}); use the cluster_name of a clusters/*.json file.`,
        );
    }
    const computeKeys = COMPUTE_KEYS.filter((k) => task[k] !== undefined);
    if (computeKeys.length > 1 && !(computeKeys.length === 2 && byName !== undefined && byId !== undefined)) {
      error(
        [...at, computeKeys[1] ?? ''],
        'JOB_TASK_COMPUTE_CONFLICT',
        `conflicts with ${computeKeys[0] ?? ''}: a task runs on one compute; keep only one of existing_cluster_name, job_cluster_key and new_cluster.`,
      );
    }
    const jobClusterKey = task['job_cluster_key'];
    if (typeof jobClusterKey === 'string' && !jobClusterKeys.has(jobClusterKey)) {
      error(
        [...at, 'job_cluster_key'],
        'JOB_UNKNOWN_JOB_CLUSTER',
        `names job cluster ${JSON.stringify(jobClusterKey)}, which \`job_clusters\` does not define (keys: ${[...jobClusterKeys].sort().join(', ') || 'none'}); add it to job_clusters or fix the key.`,
      );
    }
    resolveNewCluster(task['new_cluster'], [...at, 'new_cluster']);

    const notebookTask = task['notebook_task'];
    if (isJson(notebookTask))
      resolveWorkspacePath(notebookTask, 'notebook_path', 'notebook', [...at, 'notebook_task']);
    const pythonTask = task['spark_python_task'];
    if (isJson(pythonTask))
      resolveWorkspacePath(pythonTask, 'python_file', 'file', [...at, 'spark_python_task']);
    const forEach = task['for_each_task'];
    if (isJson(forEach) && isJson(forEach['task']))
      normalizeTask(forEach['task'], [...at, 'for_each_task', 'task']);
  };

  /** Rewrites a bundle-relative path to the deployed one; GIT sources and absolute paths pass through. */
  const resolveWorkspacePath = (
    owner: Json,
    field: string,
    want: 'notebook' | 'file',
    at: Segments,
  ): void => {
    const value = owner[field];
    if (typeof value !== 'string' || owner['source'] === 'GIT' || !isRelativeReference(value)) return;
    const here = [...at, field];
    const found = ctx.workspace.resolve(value);
    if (found.kind === 'outside') {
      error(
        here,
        'JOB_PATH_OUTSIDE_BUNDLE',
        `${JSON.stringify(value)} points outside the bundle; use a path under notebooks/ or an absolute workspace path.`,
      );
    } else if (found.kind === 'ambiguous') {
      error(
        here,
        'JOB_PATH_AMBIGUOUS',
        `${JSON.stringify(value)} matches ${found.items.map((i) => i.source).join(' and ')}; add the file extension to choose one.`,
      );
    } else if (found.kind === 'missing') {
      error(
        here,
        want === 'notebook' ? 'JOB_UNKNOWN_NOTEBOOK' : 'JOB_UNKNOWN_FILE',
        `names ${JSON.stringify(value)}, which is not a ${want} in this bundle's notebooks/; use a bundle path such as "etl/ingest" or "notebooks/etl/ingest.py", or an absolute workspace path.`,
      );
    } else {
      const isNotebook = 'format' in found.item;
      if (want === 'notebook' && !isNotebook) {
        error(
          here,
          'JOB_NOT_A_NOTEBOOK',
          `names ${found.item.source}, which deploys as a workspace file, not a notebook; give it a notebook extension (.py, .sql, .scala, .r, .ipynb) or use a task type that runs files.`,
        );
      } else if (want === 'file' && isNotebook) {
        error(
          here,
          'JOB_NOT_A_FILE',
          `names ${found.item.source}, which deploys as a notebook (every .py under notebooks/ does); use notebook_task for it, or reference a Python file outside the bundle by absolute path.`,
        );
      } else {
        owner[field] = found.item.target;
        if (isNotebook) notebookRefs.add(found.item.key);
      }
    }
  };

  const tasks = Array.isArray(settings['tasks']) ? (settings['tasks'] as unknown[]) : [];
  const taskKeys = collectKeys(settings, 'tasks', 'task_key', 'task', error, (task, i) =>
    normalizeTask(task, ['tasks', i]),
  );
  checkDependencies(tasks, taskKeys, error);

  const valid = !diagnostics.some((d) => d.severity === 'error');
  return {
    ...(name === undefined ? {} : { name }),
    ...(valid ? { settings } : {}),
    clusterRefs: [...clusterRefs].sort(),
    notebookRefs: [...notebookRefs].sort(),
    externalInitScripts,
    diagnostics,
  };
}

/**
 * The keys of the entries of `settings[field]` (`job_clusters`, `environments`, `tasks`), each of which must be
 * unique within the job; `visit` sees every entry that is an object. Codes: JOB_CLUSTER_KEY_DUPLICATE,
 * JOB_ENVIRONMENT_KEY_DUPLICATE, JOB_TASK_KEY_DUPLICATE.
 */
function collectKeys(
  settings: Json,
  field: 'job_clusters' | 'environments' | 'tasks',
  keyField: string,
  noun: string,
  error: (at: Segments, code: string, summary: string) => void,
  visit: (entry: Json, i: number) => void,
): Set<string> {
  const code = { job_clusters: 'JOB_CLUSTER', environments: 'JOB_ENVIRONMENT', tasks: 'JOB_TASK' }[field];
  const keys = new Set<string>();
  const entries = Array.isArray(settings[field]) ? (settings[field] as unknown[]) : [];
  entries.forEach((entry, i) => {
    if (!isJson(entry)) return;
    const key = entry[keyField];
    if (typeof key === 'string') {
      if (keys.has(key))
        error(
          [field, i, keyField],
          `${code}_KEY_DUPLICATE`,
          `repeats ${JSON.stringify(key)}; ${noun} keys must be unique within the job.`,
        );
      keys.add(key);
    }
    visit(entry, i);
  });
  return keys;
}

/**
 * A serverless environment's spec needs `environment_version` ("Required"), or `client`, which it replaces and which
 * gets a warning (JobEnvironment and compute.Environment in the Jobs API 2.2 reference,
 * https://docs.databricks.com/api/azure/workspace/jobs/create). `environment_key` is "unique within a job".
 */
function checkEnvironmentSpec(
  spec: unknown,
  at: Segments,
  error: (at: Segments, code: string, summary: string) => void,
  warn: (at: Segments, summary: string) => void,
): void {
  if (!isJson(spec)) return;
  if (spec['environment_version'] === undefined && spec['client'] === undefined) {
    error(
      at,
      'JOB_ENVIRONMENT_VERSION_MISSING',
      'names no serverless environment version; add "environment_version": "2" (or the version your code needs).',
    );
  } else if (spec['environment_version'] === undefined) {
    warn(
      [...at, 'client'],
      `\`client\` is the deprecated name of the serverless environment version; write "environment_version": ${JSON.stringify(spec['client'])} instead.`,
    );
  }
}

const COMPUTE_KEYS = ['existing_cluster_name', 'existing_cluster_id', 'job_cluster_key', 'new_cluster'];

/**
 * A task with `environment_key` runs on serverless compute: the key must name one of the job's environments, and
 * the task names no cluster (serverless compute has no cluster to choose, and "Serverless compute doesn't support
 * init scripts": https://learn.microsoft.com/azure/databricks/jobs/environment-variables), so no init scripts.
 */
function checkServerlessTask(
  task: Json,
  at: Segments,
  environmentKeys: ReadonlySet<string>,
  error: (at: Segments, code: string, summary: string) => void,
): void {
  const key = task['environment_key'];
  if (typeof key !== 'string') return;
  if (!environmentKeys.has(key)) {
    error(
      [...at, 'environment_key'],
      'JOB_UNKNOWN_ENVIRONMENT',
      `names environment ${JSON.stringify(key)}, which the job's \`environments\` does not define (keys: ${[...environmentKeys].sort().join(', ') || 'none'}); add {"environment_key": ${JSON.stringify(key)}, "spec": {"environment_version": "2"}} to environments or fix the key.`,
    );
  }
  for (const compute of COMPUTE_KEYS.filter((k) => task[k] !== undefined)) {
    error(
      [...at, compute],
      'JOB_SERVERLESS_TASK_COMPUTE',
      `puts a serverless task (it has environment_key ${JSON.stringify(key)}) on a cluster; serverless tasks run without a cluster or init scripts: remove ${compute}, or remove environment_key to run the task on the cluster.`,
    );
  }
}

/** `depends_on` must name tasks of the same job and must not form a cycle. */
function checkDependencies(
  tasks: readonly unknown[],
  taskKeys: ReadonlySet<string>,
  error: (at: Segments, code: string, summary: string) => void,
): void {
  const edges = new Map<string, string[]>();
  tasks.forEach((task, i) => {
    if (!isJson(task) || typeof task['task_key'] !== 'string' || !Array.isArray(task['depends_on'])) return;
    const own = task['task_key'];
    (task['depends_on'] as unknown[]).forEach((dependency, j) => {
      const target = isJson(dependency) ? dependency['task_key'] : undefined;
      if (typeof target !== 'string') return;
      const at = ['tasks', i, 'depends_on', j, 'task_key'];
      if (target === own)
        error(
          at,
          'JOB_UNKNOWN_DEPENDENCY',
          `makes task ${JSON.stringify(own)} depend on itself; remove this entry.`,
        );
      else if (!taskKeys.has(target)) {
        error(
          at,
          'JOB_UNKNOWN_DEPENDENCY',
          `names task ${JSON.stringify(target)}, which this job does not have (tasks: ${[...taskKeys].sort().join(', ')}); fix the task_key.`,
        );
      } else edges.set(own, [...(edges.get(own) ?? []), target]);
    });
  });
  // Kahn's algorithm: whatever cannot be ordered sits on or behind a cycle.
  const waitingOn = new Map([...taskKeys].map((key) => [key, new Set(edges.get(key) ?? [])]));
  let progress = true;
  while (progress) {
    progress = false;
    for (const [key, deps] of waitingOn) {
      if ([...deps].every((d) => !waitingOn.has(d))) {
        waitingOn.delete(key);
        progress = true;
      }
    }
  }
  if (waitingOn.size > 0) {
    error(
      ['tasks'],
      'JOB_DEPENDENCY_CYCLE',
      `has a dependency cycle among tasks ${[...waitingOn.keys()].sort().join(', ')}; remove one of their depends_on entries.`,
    );
  }
}

function isJson(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
