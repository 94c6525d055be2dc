// Test infrastructure: the jobs of one workspace, as Jobs API 2.1 and 2.2 serve them.
// Rules from the Jobs API reference (https://docs.databricks.com/api/workspace/jobs): reset replaces all
// settings; update replaces the top-level fields it names, except tasks and job_clusters, whose entries are
// replaced or added by task_key / job_cluster_key while the others are kept, and fields_to_remove removes
// top-level fields or single entries (`tasks/task_1`); list pages with limit/page_token/has_more, hides tasks
// and job_clusters unless expand_tasks is set, and filters on the exact job name, case-insensitive.
// Jobs 2.2 (https://learn.microsoft.com/azure/databricks/reference/jobs-api-2-2-updates): a job created (or reset) under
// 2.2 without `queue` is queued; get pages tasks, job_clusters, environments and parameters by 100 with
// next_page_token / page_token (arrays with nothing left are empty on later pages); list with expand_tasks
// shows at most 100 tasks and job clusters per job and says `has_more` for a job that has more.
// Serverless (Jobs API 2.2 reference, JobEnvironment and compute.Environment; the SDK's jobs/model.d.ts carries
// the same text): an environment's `environment_key` "has to be unique within a job", its spec's
// `environment_version` is "Required" (`client` is its older name), and a task's `environment_key` "references an
// environment spec in a job"; a task that names an environment runs on serverless compute, so it names no cluster.
import { ApiError } from './ApiError';
import type { IdSequences } from './IdSequences';
import type { JsonObject, JsonValue } from './JsonValue';

export interface JobRecord {
  jobId: number;
  createdTime: number;
  settings: JsonObject;
}

export interface JobListQuery {
  limit: number;
  pageToken?: string;
  expandTasks: boolean;
  name?: string;
}

/** The Jobs API version a request came in on: 2.2 queues by default and pages large jobs. */
export type JobsApiVersion = '2.1' | '2.2';

/** The arrays jobs/get pages under 2.2, and the page size (Jobs 2.2 updates, "Get a single job"). */
const PAGED_ARRAYS = ['tasks', 'job_clusters', 'environments', 'parameters'] as const;
/** The arrays jobs/update merges by key, and the arrays jobs/list expand_tasks truncates. */
const KEYED_ARRAYS = { tasks: 'task_key', job_clusters: 'job_cluster_key' } as const;
const ARRAY_PAGE_SIZE = 100;

export interface JobPage {
  jobs: JsonObject[];
  hasMore: boolean;
  nextPageToken?: string;
}

export class JobStore {
  private readonly jobs = new Map<number, JobRecord>();

  constructor(
    private readonly ids: IdSequences,
    private readonly now: () => number,
    private readonly clusterExists: (clusterId: string) => boolean,
  ) {}

  create(settings: JsonObject, version: JobsApiVersion = '2.1'): number {
    this.validate(settings);
    const jobId = this.ids.take('job');
    this.jobs.set(jobId, { jobId, createdTime: this.now(), settings: withDefaultQueue(settings, version) });
    return jobId;
  }

  reset(jobId: number, newSettings: JsonObject, version: JobsApiVersion = '2.1'): void {
    const job = this.require(jobId);
    this.validate(newSettings);
    job.settings = withDefaultQueue(newSettings, version);
  }

  /** jobs/update: a merge of `newSettings` into the job, then `fieldsToRemove`; nothing changes if refused. */
  update(jobId: number, newSettings: JsonObject, fieldsToRemove: readonly string[]): void {
    const job = this.require(jobId);
    const merged = structuredClone(job.settings);
    for (const [field, value] of Object.entries(structuredClone(newSettings))) {
      const key = keyOfArray(field);
      merged[field] =
        key && Array.isArray(value) ? mergeByKey(arrayField(merged, field), value, field, key) : value;
    }
    for (const path of fieldsToRemove) removeField(merged, path);
    this.validate(merged);
    job.settings = merged;
  }

  delete(jobId: number): void {
    this.jobs.delete(this.require(jobId).jobId);
  }

  /** The whole job, every array entry included (what 2.1 answers, and what tests inspect). */
  get(jobId: number): JsonObject {
    return infoOf(this.require(jobId), true);
  }

  /**
   * jobs/get under 2.2: every field, and entries [100 * page, 100 * page + 100) of each paged array, with a
   * next_page_token while any array has entries left.
   */
  getPage(jobId: number, pageToken: string | undefined): JsonObject {
    const job = this.require(jobId);
    const page = pageToken === undefined ? 0 : decodeArrayPageToken(pageToken, jobId);
    const info = infoOf(job, true);
    const settings = info['settings'] as JsonObject;
    let more = false;
    for (const field of PAGED_ARRAYS) {
      const entries = settings[field];
      if (!Array.isArray(entries)) continue;
      settings[field] = entries.slice(page * ARRAY_PAGE_SIZE, (page + 1) * ARRAY_PAGE_SIZE);
      more ||= entries.length > (page + 1) * ARRAY_PAGE_SIZE;
    }
    return more ? { ...info, next_page_token: encodeArrayPageToken(jobId, page + 1) } : info;
  }

  records(): JobRecord[] {
    return [...this.jobs.values()].sort((a, b) => a.jobId - b.jobId);
  }

  list(query: JobListQuery, version: JobsApiVersion = '2.1'): JobPage {
    if (!(query.limit >= 1 && query.limit <= 100)) {
      throw ApiError.invalidParameter(`limit must be between 1 and 100, got ${query.limit}`);
    }
    const after = query.pageToken === undefined ? 0 : decodePageToken(query.pageToken);
    const matching = this.records().filter(
      (job) => job.jobId > after && (query.name === undefined || sameName(job.settings['name'], query.name)),
    );
    const page = matching.slice(0, query.limit);
    const last = page.at(-1);
    const hasMore = matching.length > page.length;
    return {
      jobs: page.map((job) =>
        version === '2.2' && query.expandTasks ? truncatedInfoOf(job) : infoOf(job, query.expandTasks),
      ),
      hasMore,
      ...(hasMore && last ? { nextPageToken: encodePageToken(last.jobId) } : {}),
    };
  }

  toJSON(): JobRecord[] {
    return this.records().map((job) => structuredClone(job));
  }

  restore(saved: JobRecord[]): void {
    this.jobs.clear();
    for (const job of saved) this.jobs.set(job.jobId, structuredClone(job));
  }

  private require(jobId: number): JobRecord {
    const job = this.jobs.get(jobId);
    if (!job) throw ApiError.invalidParameter(`Job ${jobId} does not exist.`);
    return job;
  }

  private validate(settings: JsonObject): void {
    const jobClusterKeys = new Set<string>();
    for (const jobCluster of arrayField(settings, 'job_clusters')) {
      const key = objectOf(jobCluster, 'job_clusters')['job_cluster_key'];
      if (typeof key !== 'string' || key === '') {
        throw ApiError.invalidParameter('Each job cluster needs a job_cluster_key');
      }
      jobClusterKeys.add(key);
    }
    const environmentKeys = validateEnvironments(settings);
    const tasks = arrayField(settings, 'tasks').map((task) => objectOf(task, 'tasks'));
    const taskKeys = new Set<string>();
    for (const task of tasks) {
      const key = task['task_key'];
      if (typeof key !== 'string' || key === '')
        throw ApiError.invalidParameter('Each task needs a task_key');
      if (taskKeys.has(key)) throw ApiError.invalidParameter(`Duplicate task_key ${key}`);
      taskKeys.add(key);
    }
    for (const task of tasks) {
      const clusterId = task['existing_cluster_id'];
      if (clusterId !== undefined && (typeof clusterId !== 'string' || !this.clusterExists(clusterId))) {
        throw ApiError.invalidParameter(`Cluster ${String(clusterId)} does not exist`);
      }
      const jobClusterKey = task['job_cluster_key'];
      if (
        jobClusterKey !== undefined &&
        (typeof jobClusterKey !== 'string' || !jobClusterKeys.has(jobClusterKey))
      ) {
        throw ApiError.invalidParameter(
          `Task ${String(task['task_key'])} refers to an unknown job_cluster_key`,
        );
      }
      validateEnvironmentKey(task, environmentKeys);
      for (const dependency of arrayField(task, 'depends_on')) {
        const dependsOn = objectOf(dependency, 'depends_on')['task_key'];
        if (typeof dependsOn !== 'string' || !taskKeys.has(dependsOn)) {
          throw ApiError.invalidParameter(`Task ${String(task['task_key'])} depends on an unknown task`);
        }
      }
    }
  }
}

function validateEnvironments(settings: JsonObject): Set<string> {
  const keys = new Set<string>();
  for (const entry of arrayField(settings, 'environments')) {
    const environment = objectOf(entry, 'environments');
    const key = environment['environment_key'];
    if (typeof key !== 'string' || key === '') {
      throw ApiError.invalidParameter('Each environment needs an environment_key');
    }
    if (keys.has(key)) throw ApiError.invalidParameter(`Duplicate environment_key ${key}`);
    keys.add(key);
    const spec = environment['spec'];
    const specObject = spec === undefined ? undefined : objectOf(spec, 'environments');
    if (specObject?.['environment_version'] === undefined && specObject?.['client'] === undefined) {
      throw ApiError.invalidParameter(`Environment ${key} needs spec.environment_version`);
    }
  }
  return keys;
}

function validateEnvironmentKey(task: JsonObject, environmentKeys: ReadonlySet<string>): void {
  const key = task['environment_key'];
  if (key === undefined) return;
  if (typeof key !== 'string' || !environmentKeys.has(key)) {
    throw ApiError.invalidParameter(
      `Task ${String(task['task_key'])} refers to an unknown environment_key ${String(key)}`,
    );
  }
  const compute = ['existing_cluster_id', 'new_cluster', 'job_cluster_key'].find(
    (k) => task[k] !== undefined,
  );
  if (compute !== undefined) {
    throw ApiError.invalidParameter(
      `Task ${String(task['task_key'])} sets environment_key for serverless compute and ${compute}; a task runs on one compute`,
    );
  }
}

function infoOf(job: JobRecord, expandTasks: boolean): JsonObject {
  const settings = structuredClone(job.settings);
  if (!expandTasks) {
    delete settings['tasks'];
    delete settings['job_clusters'];
  }
  return { job_id: job.jobId, created_time: job.createdTime, settings };
}

/** Under 2.2, expand_tasks shows the first 100 tasks and job clusters; `has_more` says jobs/get has the rest. */
function truncatedInfoOf(job: JobRecord): JsonObject {
  const info = infoOf(job, true);
  const settings = info['settings'] as JsonObject;
  let hasMore = false;
  for (const field of Object.keys(KEYED_ARRAYS)) {
    const entries = settings[field];
    if (!Array.isArray(entries)) continue;
    hasMore ||= entries.length > ARRAY_PAGE_SIZE;
    settings[field] = entries.slice(0, ARRAY_PAGE_SIZE);
  }
  return { ...info, has_more: hasMore };
}

function withDefaultQueue(settings: JsonObject, version: JobsApiVersion): JsonObject {
  const copy = structuredClone(settings);
  if (version === '2.2' && copy['queue'] === undefined) copy['queue'] = { enabled: true };
  return copy;
}

// "A filter on the list based on the exact (case insensitive) job name" (jobs/list `name`).
function sameName(jobName: JsonValue | undefined, wanted: string): boolean {
  return typeof jobName === 'string' && jobName.toLowerCase() === wanted.toLowerCase();
}

function keyOfArray(field: string): string | undefined {
  return Object.hasOwn(KEYED_ARRAYS, field) ? KEYED_ARRAYS[field as keyof typeof KEYED_ARRAYS] : undefined;
}

function mergeByKey(existing: JsonValue[], added: JsonValue[], field: string, key: string): JsonValue[] {
  const merged = [...existing];
  for (const entry of added) {
    const name = objectOf(entry, field)[key];
    const at = merged.findIndex((old) => objectOf(old, field)[key] === name);
    if (at >= 0) merged[at] = entry;
    else merged.push(entry);
  }
  return merged;
}

// Removing nested fields is refused, except one entry of tasks or job_clusters (`tasks/task_1`).
function removeField(settings: JsonObject, path: string): void {
  const [field = '', entryKey, ...rest] = path.split('/');
  if (entryKey === undefined) {
    Reflect.deleteProperty(settings, field);
    return;
  }
  const key = keyOfArray(field);
  if (!key || rest.length > 0) throw ApiError.invalidParameter(`Cannot remove nested field ${path}`);
  settings[field] = arrayField(settings, field).filter((entry) => objectOf(entry, field)[key] !== entryKey);
}

function arrayField(object: JsonObject, field: string): JsonValue[] {
  const value = object[field];
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw ApiError.invalidParameter(`${field} must be an array`);
  return value;
}

function objectOf(value: JsonValue, field: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw ApiError.invalidParameter(`Each entry of ${field} must be an object`);
  }
  return value;
}

// Tokens name the last job of the page, so deleting jobs between pages neither skips nor repeats any.
function encodePageToken(lastJobId: number): string {
  return Buffer.from(`jobs:${lastJobId}`).toString('base64url');
}

function encodeArrayPageToken(jobId: number, page: number): string {
  return Buffer.from(`job:${jobId}:${page}`).toString('base64url');
}

function decodeArrayPageToken(token: string, jobId: number): number {
  const match = /^job:(\d+):(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match?.[2] || Number(match[1]) !== jobId)
    throw ApiError.invalidParameter(`Invalid page_token ${token}`);
  return Number(match[2]);
}

function decodePageToken(token: string): number {
  const match = /^jobs:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match?.[1]) throw ApiError.invalidParameter(`Invalid page_token ${token}`);
  return Number(match[1]);
}
