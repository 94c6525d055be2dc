// Pure: what a seed-era bundle uses that Databricks has deprecated, each with the exact change to make, and the
// converted files (`bricklane validate --upgrade --write <dir>` writes them over a copy of the bundle).
// - DBFS init scripts are end-of-life; workspace files or Unity Catalog volumes replace them
//   (https://learn.microsoft.com/azure/databricks/init-scripts/#migrate-dbfs).
// - The Jobs API 2.0 single-task form (top-level `notebook_task`, `existing_cluster_id`) is what Jobs 2.1 replaced
//   with `tasks` (https://learn.microsoft.com/azure/databricks/reference/jobs-2.0-api); the seed also wrote a
//   cluster *name* in `existing_cluster_id`, which bricklane reads as `existing_cluster_name`.
// - An all-purpose cluster that only jobs use can be a job cluster (started per run, billed at the jobs rate) or
//   serverless compute (https://learn.microsoft.com/azure/databricks/jobs/compute).
// - The seed deployed notebooks to a folder at the root of /Users, where nobody's home is; /Shared/<project> is
//   where a deployment belongs (and the default).
import { OPTIONS_FILE, type BundleEntry, type BundleFile } from './Bundle';
import { classifyEntries } from './classifyEntries';
import { convertSingleTaskJob, SINGLE_TASK_KEYS, TASK_TYPE_KEYS, taskKeyFor } from './convertSingleTaskJob';
import { jsonPath } from './jsonPath';
import { defaultNotebookRoot, SEED_DBFS_INIT_SCRIPT_ROOT } from './parseBundleOptions';

export type UpgradeCode =
  | 'DBFS_INIT_SCRIPT_TARGET'
  | 'DBFS_INIT_SCRIPT'
  | 'JOBS_2_0_SINGLE_TASK'
  | 'CLUSTER_ID_HOLDS_NAME'
  | 'CLUSTER_ONLY_FOR_JOBS'
  | 'NOTEBOOKS_UNDER_USERS_ROOT';

export interface UpgradeFinding {
  code: UpgradeCode;
  /** Bundle-relative file, and the JSON path in it. */
  file: string;
  path: string;
  /** What is deprecated, and why it matters. */
  summary: string;
  /** The exact change to make. */
  change: string;
  /** `--write` makes the change; false: it needs a person (the text says what to do). */
  automatic: boolean;
}

export interface UpgradePlan {
  findings: UpgradeFinding[];
  /** Converted JSON files by bundle path; null: the file goes (a cluster that became job clusters). */
  files: Map<string, Json | null>;
}

type Json = Record<string, unknown>;

const MIGRATE_DBFS = 'https://learn.microsoft.com/azure/databricks/init-scripts/#migrate-dbfs';
/**
 * Fields of an all-purpose cluster spec that mean nothing for a job cluster (it is named after its job run, and
 * created once per run). autotermination_minutes stays: a cluster policy may require it.
 */
const ALL_PURPOSE_ONLY = ['cluster_name', 'idempotency_token'];

export function upgradeReport(entries: readonly BundleEntry[], project: string): UpgradePlan {
  const layout = classifyEntries(entries);
  const findings: UpgradeFinding[] = [];
  const files = new Map<string, Json | null>();
  const find = (finding: UpgradeFinding): void => {
    findings.push(finding);
  };
  const scripts = layout.initScripts.map((f) => f.path.slice('init-scripts/'.length));

  // bricklane.json: the DBFS target and the /Users root.
  const options = objectOf(layout.optionsFile);
  const newOptions = options ? structuredClone(options) : undefined;
  const dbfsRoot =
    typeof options?.['initScriptRoot'] === 'string' && options['initScriptRoot'].startsWith('dbfs:/')
      ? options['initScriptRoot'].replace(/\/+$/, '')
      : `${SEED_DBFS_INIT_SCRIPT_ROOT}/${project}`;
  if (options?.['initScriptTarget'] === 'dbfs' && newOptions) {
    find({
      code: 'DBFS_INIT_SCRIPT_TARGET',
      file: OPTIONS_FILE,
      path: '$.initScriptTarget',
      summary: `init scripts deploy to DBFS, and DBFS init scripts are end-of-life (${MIGRATE_DBFS}).`,
      change: `set "initScriptTarget": "workspace" and remove "initScriptRoot" (scripts then go to ${defaultNotebookRoot(project)}/init-scripts), or set "initScriptTarget": "volume" with "initScriptRoot": "/Volumes/<catalog>/<schema>/<volume>/init-scripts".`,
      automatic: true,
    });
    newOptions['initScriptTarget'] = 'workspace';
    delete newOptions['initScriptRoot'];
  }
  const notebookRoot = typeof options?.['notebookRoot'] === 'string' ? options['notebookRoot'] : undefined;
  const usersRoot =
    notebookRoot !== undefined && /^\/Users\/[^/@]+\/?$/.test(notebookRoot)
      ? notebookRoot.replace(/\/+$/, '')
      : undefined;
  if (usersRoot !== undefined && newOptions) {
    find({
      code: 'NOTEBOOKS_UNDER_USERS_ROOT',
      file: OPTIONS_FILE,
      path: '$.notebookRoot',
      summary: `notebooks deploy to ${usersRoot}, a folder at the root of /Users where no user's home is (the seed's layout); a deployment belongs in /Shared.`,
      change: `remove "notebookRoot" (notebooks then go to ${defaultNotebookRoot(project)}), or set it to a folder under ${defaultNotebookRoot(project)}; jobs that name ${usersRoot}/... by absolute path name the notebook by its bundle path instead.`,
      automatic: true,
    });
    delete newOptions['notebookRoot'];
  }
  if (newOptions && JSON.stringify(newOptions) !== JSON.stringify(options))
    files.set(OPTIONS_FILE, newOptions);

  /** Rewrites `dbfs` entries of an init_scripts list that name a bundle script; reports every DBFS entry. */
  const upgradeInitScripts = (owner: Json, file: string, at: readonly PropertyKey[]): boolean => {
    const list = owner['init_scripts'];
    if (!Array.isArray(list)) return false;
    let changed = false;
    owner['init_scripts'] = list.map((entry: unknown, i) => {
      const info = isJson(entry) && isJson(entry['dbfs']) ? entry['dbfs'] : undefined;
      const destination = typeof info?.['destination'] === 'string' ? info['destination'] : undefined;
      if (destination === undefined) return entry;
      const script = bundleScriptOf(destination, scripts, dbfsRoot);
      const path = jsonPath([...at, 'init_scripts', i, 'dbfs', 'destination']);
      const replacement = script ? { workspace: { destination: `init-scripts/${script}` } } : undefined;
      find({
        code: 'DBFS_INIT_SCRIPT',
        file,
        path,
        summary: `init script ${JSON.stringify(destination)} runs from DBFS, and DBFS init scripts are end-of-life (${MIGRATE_DBFS}).`,
        change: replacement
          ? `replace the entry with ${JSON.stringify(replacement)}: bricklane deploys init-scripts/${script} and points the cluster at the deployed copy.`
          : `copy the script into the bundle's init-scripts/ and reference it as {"workspace": {"destination": "init-scripts/<name>"}}, or put it in a Unity Catalog volume and reference {"volumes": {"destination": "/Volumes/<catalog>/<schema>/<volume>/<name>"}}.`,
        automatic: replacement !== undefined,
      });
      if (!replacement) return entry;
      changed = true;
      return replacement;
    });
    return changed;
  };

  // Clusters: DBFS init scripts.
  const clusters = new Map<string, { file: BundleFile; spec: Json; changed: boolean }>();
  for (const file of layout.clusterFiles) {
    const raw = objectOf(file);
    if (!raw || typeof raw['cluster_name'] !== 'string') continue;
    const spec = structuredClone(raw);
    const changed = upgradeInitScripts(spec, file.path, []);
    clusters.set(raw['cluster_name'], { file, spec, changed });
  }

  // Jobs: the 2.0 form, names in existing_cluster_id, DBFS init scripts of job clusters, /Users paths.
  const jobs: { file: BundleFile; name: string; settings: Json; changed: boolean }[] = [];
  for (const file of layout.jobFiles) {
    const raw = objectOf(file);
    if (!raw) continue;
    const name = typeof raw['name'] === 'string' ? raw['name'] : file.path;
    let changed = false;
    let settings = structuredClone(raw);
    const singleTask = Object.keys(raw).some((key) => TASK_TYPE_KEYS.has(key)) && raw['tasks'] === undefined;
    if (singleTask) {
      const moved = Object.keys(raw).filter((key) => SINGLE_TASK_KEYS.has(key));
      find({
        code: 'JOBS_2_0_SINGLE_TASK',
        file: file.path,
        path: '$',
        summary: `job ${JSON.stringify(name)} is written in the Jobs API 2.0 single-task form, which Jobs 2.1 replaced with "tasks".`,
        change: `move ${moved.join(', ')} into "tasks": [{"task_key": "${taskKeyFor(raw['name'])}", ...}]${typeof raw['existing_cluster_id'] === 'string' && clusters.has(raw['existing_cluster_id']) ? `, naming the cluster as "existing_cluster_name": ${JSON.stringify(raw['existing_cluster_id'])}` : ''}${raw['format'] === undefined ? '' : ', and drop "format"'}.`,
        automatic: true,
      });
      settings = convertSingleTaskJob(raw);
      changed = true;
    }
    forEachTask(settings, (task, at) => {
      const id = task['existing_cluster_id'];
      if (typeof id === 'string' && clusters.has(id) && task['existing_cluster_name'] === undefined) {
        if (!singleTask)
          find({
            code: 'CLUSTER_ID_HOLDS_NAME',
            file: file.path,
            path: jsonPath([...at, 'existing_cluster_id']),
            summary: `existing_cluster_id holds the cluster name ${JSON.stringify(id)}, the seed's way to name a cluster before its id is known.`,
            change: `write "existing_cluster_name": ${JSON.stringify(id)} instead of "existing_cluster_id".`,
            automatic: true,
          });
        delete task['existing_cluster_id'];
        task['existing_cluster_name'] = id;
        changed = true;
      }
      if (isJson(task['new_cluster']))
        changed = upgradeInitScripts(task['new_cluster'], file.path, [...at, 'new_cluster']) || changed;
      if (usersRoot !== undefined) changed = relativizePaths(task, usersRoot) || changed;
    });
    const jobClusters = Array.isArray(settings['job_clusters'])
      ? (settings['job_clusters'] as unknown[])
      : [];
    jobClusters.forEach((jobCluster, i) => {
      if (isJson(jobCluster) && isJson(jobCluster['new_cluster']))
        changed =
          upgradeInitScripts(jobCluster['new_cluster'], file.path, ['job_clusters', i, 'new_cluster']) ||
          changed;
    });
    jobs.push({ file, name, settings, changed });
  }

  // Clusters only jobs use: job clusters instead.
  for (const [clusterName, cluster] of clusters) {
    const users = jobs.filter((job) => taskClusterNames(job.settings).has(clusterName));
    if (users.length === 0) continue;
    const key = taskKeyFor(clusterName);
    find({
      code: 'CLUSTER_ONLY_FOR_JOBS',
      file: cluster.file.path,
      path: '$.cluster_name',
      summary: `cluster ${JSON.stringify(clusterName)} is an all-purpose cluster that only jobs use (${users.map((j) => j.name).join(', ')}): it stays up between runs and bills at the all-purpose rate.`,
      change: `move its spec (without ${ALL_PURPOSE_ONLY.join(', ')}) into each job's "job_clusters" as {"job_cluster_key": "${key}", "new_cluster": {...}}, replace "existing_cluster_name": ${JSON.stringify(clusterName)} in their tasks with "job_cluster_key": "${key}", and delete ${cluster.file.path}; or run the tasks on serverless compute: an "environments" entry and "environment_key" on each task, with no cluster.`,
      automatic: true,
    });
    const newCluster = Object.fromEntries(
      Object.entries(cluster.spec).filter(([field]) => !ALL_PURPOSE_ONLY.includes(field)),
    );
    for (const job of users) {
      const list = Array.isArray(job.settings['job_clusters'])
        ? (job.settings['job_clusters'] as Json[])
        : [];
      const taken = new Set(list.map((c) => c['job_cluster_key']));
      let unique = key;
      for (let n = 2; taken.has(unique); n++) unique = `${key}_${n}`;
      job.settings['job_clusters'] = [
        ...list,
        { job_cluster_key: unique, new_cluster: structuredClone(newCluster) },
      ];
      forEachTask(job.settings, (task) => {
        if (task['existing_cluster_name'] !== clusterName) return;
        delete task['existing_cluster_name'];
        task['job_cluster_key'] = unique;
      });
      job.changed = true;
    }
    files.set(cluster.file.path, null);
  }
  for (const cluster of clusters.values())
    if (cluster.changed && !files.has(cluster.file.path)) files.set(cluster.file.path, cluster.spec);
  for (const job of jobs) if (job.changed) files.set(job.file.path, job.settings);
  findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { findings, files };
}

/** The bundle script (path under init-scripts/) a DBFS destination names, if any. */
function bundleScriptOf(
  destination: string,
  scripts: readonly string[],
  dbfsRoot: string,
): string | undefined {
  for (const root of [dbfsRoot, SEED_DBFS_INIT_SCRIPT_ROOT]) {
    const relative = destination.startsWith(`${root}/`) ? destination.slice(root.length + 1) : undefined;
    if (relative !== undefined && scripts.includes(relative)) return relative;
  }
  return undefined;
}

/** Each task of a job, nested for_each tasks included, with its JSON path. */
function forEachTask(settings: Json, visit: (task: Json, at: readonly PropertyKey[]) => void): void {
  const walk = (task: unknown, at: readonly PropertyKey[]): void => {
    if (!isJson(task)) return;
    visit(task, at);
    const forEach = task['for_each_task'];
    if (isJson(forEach)) walk(forEach['task'], [...at, 'for_each_task', 'task']);
  };
  const tasks = Array.isArray(settings['tasks']) ? (settings['tasks'] as unknown[]) : [];
  tasks.forEach((task, i) => walk(task, ['tasks', i]));
}

/** Bundle cluster names a job's tasks run on (by name, or the seed's name in existing_cluster_id). */
function taskClusterNames(settings: Json): Set<string> {
  const names = new Set<string>();
  forEachTask(settings, (task) => {
    for (const field of ['existing_cluster_name', 'existing_cluster_id'])
      if (typeof task[field] === 'string') names.add(task[field]);
  });
  return names;
}

/** Absolute paths under the old /Users root become bundle paths, which resolve under the new root. */
function relativizePaths(task: Json, usersRoot: string): boolean {
  let changed = false;
  for (const [type, field] of [
    ['notebook_task', 'notebook_path'],
    ['spark_python_task', 'python_file'],
  ] as const) {
    const owner = task[type];
    const value = isJson(owner) ? owner[field] : undefined;
    if (isJson(owner) && typeof value === 'string' && value.startsWith(`${usersRoot}/`)) {
      owner[field] = value.slice(usersRoot.length + 1);
      changed = true;
    }
  }
  return changed;
}

function objectOf(file: BundleFile | undefined): Json | undefined {
  const parsed = file?.json;
  return parsed?.ok && isJson(parsed.value) ? parsed.value : undefined;
}

function isJson(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
