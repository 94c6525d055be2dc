// Test infrastructure: the jobs of one workspace.
// Rules from the Jobs API 2.1 (https://learn.microsoft.com/azure/databricks/api/workspace/jobs/reset): reset
// replaces all settings; list pages with limit/page_token/has_more and hides tasks and job_clusters unless
// expand_tasks is set.
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

  create(settings: JsonObject): number {
    this.validate(settings);
    const jobId = this.ids.take('job');
    this.jobs.set(jobId, { jobId, createdTime: this.now(), settings: structuredClone(settings) });
    return jobId;
  }

  reset(jobId: number, newSettings: JsonObject): void {
    const job = this.require(jobId);
    this.validate(newSettings);
    job.settings = structuredClone(newSettings);
  }

  delete(jobId: number): void {
    this.jobs.delete(this.require(jobId).jobId);
  }

  get(jobId: number): JsonObject {
    return infoOf(this.require(jobId), true);
  }

  records(): JobRecord[] {
    return [...this.jobs.values()].sort((a, b) => a.jobId - b.jobId);
  }

  list(query: JobListQuery): JobPage {
    if (!(query.limit >= 1 && query.limit <= 100)) {
      throw ApiError.invalidParameter(`limit must be between 1 and 100, got ${query.limit}`);
    }
    const after = query.pageToken === undefined ? 0 : decodePageToken(query.pageToken);
    const matching = this.records().filter(
      (job) => job.jobId > after && (query.name === undefined || job.settings['name'] === query.name),
    );
    const page = matching.slice(0, query.limit);
    const last = page.at(-1);
    const hasMore = matching.length > page.length;
    return {
      jobs: page.map((job) => infoOf(job, query.expandTasks)),
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
      for (const dependency of arrayField(task, 'depends_on')) {
        const dependsOn = objectOf(dependency, 'depends_on')['task_key'];
        if (typeof dependsOn !== 'string' || !taskKeys.has(dependsOn)) {
          throw ApiError.invalidParameter(`Task ${String(task['task_key'])} depends on an unknown task`);
        }
      }
    }
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

function decodePageToken(token: string): number {
  const match = /^jobs:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match?.[1]) throw ApiError.invalidParameter(`Invalid page_token ${token}`);
  return Number(match[1]);
}
