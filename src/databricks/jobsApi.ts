// I/O: the Jobs API 2.2 calls of DatabricksWorkspaceClient, one HTTP call each (one per page for lists and for
// a large job), closed over the client's transport.
// 2.2 is what Databricks' SDKs speak and what Databricks recommends for jobs with many tasks
// (https://learn.microsoft.com/azure/databricks/reference/jobs-api-2-2-updates): jobs/list with expand_tasks
// shows at most 100 tasks and job clusters per job and says `has_more`; jobs/get pages tasks, job_clusters,
// environments and parameters by 100 with next_page_token / page_token. Queueing is on by default for a job
// created under 2.2 without `queue`, so callers set `queue` themselves (resolveJobSettings).
import type { DatabricksOperationOptions } from './DatabricksClientOptions';
import { optionalString, requireNumber, type DatabricksTransport } from './DatabricksTransport';
import { getPagedAsyncIterator, type PagedAsyncIterableIterator } from './getPagedAsyncIterator';
import type { JobInfo, JobSettings } from './JobInfo';

export interface ListJobsOptions extends DatabricksOperationOptions {
  /** Include `tasks` and `job_clusters` in each job's settings. */
  expandTasks?: boolean;
  /** Job name filter: the exact name, case-insensitive (the reference's jobs/list `name`). */
  name?: string;
  /** 1..100, default 100. */
  pageSize?: number;
}

export type JobsApi = ReturnType<typeof jobsApi>;

export function jobsApi(transport: DatabricksTransport) {
  return {
    /**
     * All jobs (or those named `name`, in any case), following `has_more` / `next_page_token`. With expandTasks,
     * a job with more than 100 tasks or job clusters comes truncated with `has_more: true`: read it with getJob.
     */
    listJobs(options: ListJobsOptions = {}): PagedAsyncIterableIterator<JobInfo> {
      return getPagedAsyncIterator(async (pageToken) => {
        const result = await transport.send(
          {
            method: 'GET',
            version: '2.2',
            endpoint: 'jobs/list',
            query: {
              limit: options.pageSize ?? 100,
              page_token: pageToken,
              expand_tasks: options.expandTasks,
              name: options.name,
            },
            idempotent: true,
          },
          options,
        );
        return {
          items: Array.isArray(result.jobs) ? (result.jobs as JobInfo[]) : [],
          continuationToken: result.has_more === true ? optionalString(result.next_page_token) : undefined,
        };
      }, 'jobs/list');
    },

    /** The whole job: every page of jobs/get, the paged arrays joined in order. */
    async getJob(jobId: number, options: DatabricksOperationOptions = {}): Promise<JobInfo> {
      let job: JobInfo | undefined;
      const pages = getPagedAsyncIterator(async (pageToken) => {
        const page = await transport.send(
          {
            method: 'GET',
            version: '2.2',
            endpoint: 'jobs/get',
            query: { job_id: jobId, page_token: pageToken },
            idempotent: true,
          },
          options,
        );
        requireNumber(page, 'job_id', 'jobs/get');
        return { items: [page as JobInfo], continuationToken: optionalString(page.next_page_token) };
      }, 'jobs/get');
      for await (const page of pages) job = job ? withNextPage(job, page) : page;
      const { next_page_token: _last, ...whole } = job as JobInfo;
      return whole as JobInfo;
    },

    /**
     * Creates a job and returns its id. jobs/create has no idempotency token, so an ambiguous failure is thrown
     * as DatabricksTransientError instead of risking a duplicate job: the caller looks the job up by name
     * (`listJobs({ name })`) before creating again.
     */
    async createJob(settings: JobSettings, options: DatabricksOperationOptions = {}): Promise<number> {
      const result = await transport.send(
        { method: 'POST', version: '2.2', endpoint: 'jobs/create', body: { ...settings }, idempotent: false },
        options,
      );
      return requireNumber(result, 'job_id', 'jobs/create');
    },

    /**
     * Replaces all settings of the job (jobs/reset; jobs/update would merge). Under 2.2 a reset without `queue`
     * turns queueing on, so the settings carry `queue`.
     */
    async resetJob(
      jobId: number,
      settings: JobSettings,
      options: DatabricksOperationOptions = {},
    ): Promise<void> {
      await transport.send(
        {
          method: 'POST',
          version: '2.2',
          endpoint: 'jobs/reset',
          body: { job_id: jobId, new_settings: settings },
          idempotent: true,
        },
        options,
      );
    },

    /** Deletes the job. A retry after an ambiguous failure may report DatabricksNotFoundError: treat it as done. */
    async deleteJob(jobId: number, options: DatabricksOperationOptions = {}): Promise<void> {
      await transport.send(
        {
          method: 'POST',
          version: '2.2',
          endpoint: 'jobs/delete',
          body: { job_id: jobId },
          idempotent: true,
        },
        options,
      );
    },
  };
}

/** Later pages repeat the job's fields and carry the next entries of the paged arrays (empty when done). */
function withNextPage(job: JobInfo, page: JobInfo): JobInfo {
  const settings = { ...job.settings };
  for (const field of PAGED_ARRAYS) {
    const more = page.settings[field];
    if (Array.isArray(more))
      settings[field] = [...(Array.isArray(settings[field]) ? settings[field] : []), ...more];
  }
  return { ...job, settings };
}

/** The arrays jobs/get 2.2 pages by 100 ("Get a single job" in the 2.2 updates). */
const PAGED_ARRAYS = ['tasks', 'job_clusters', 'environments', 'parameters'] as const;
