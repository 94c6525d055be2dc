// I/O: the Jobs API 2.1 calls of DatabricksWorkspaceClient, one HTTP call each (one per page for lists), closed
// over the client's transport.
import type { DatabricksOperationOptions } from './DatabricksClientOptions';
import { optionalString, requireNumber, type DatabricksTransport } from './DatabricksTransport';
import { getPagedAsyncIterator, type PagedAsyncIterableIterator } from './getPagedAsyncIterator';
import type { JobInfo, JobSettings } from './JobInfo';

export interface ListJobsOptions extends DatabricksOperationOptions {
  /** Include `tasks` and `job_clusters` in each job's settings. */
  expandTasks?: boolean;
  /** Exact job name filter. */
  name?: string;
  /** 1..100, default 100. */
  pageSize?: number;
}

export type JobsApi = ReturnType<typeof jobsApi>;

export function jobsApi(transport: DatabricksTransport) {
  return {
    /** All jobs (or those with exactly `name`), following `has_more` / `next_page_token`. */
    listJobs(options: ListJobsOptions = {}): PagedAsyncIterableIterator<JobInfo> {
      return getPagedAsyncIterator(async (pageToken) => {
        const result = await transport.send(
          {
            method: 'GET',
            version: '2.1',
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

    /**
     * Creates a job and returns its id. jobs/create has no idempotency token, so an ambiguous failure is thrown
     * as DatabricksTransientError instead of risking a duplicate job: the caller looks the job up by name
     * (`listJobs({ name })`) before creating again.
     */
    async createJob(settings: JobSettings, options: DatabricksOperationOptions = {}): Promise<number> {
      const result = await transport.send(
        { method: 'POST', version: '2.1', endpoint: 'jobs/create', body: { ...settings }, idempotent: false },
        options,
      );
      return requireNumber(result, 'job_id', 'jobs/create');
    },

    /** Replaces all settings of the job (jobs/reset; jobs/update would merge). */
    async resetJob(
      jobId: number,
      settings: JobSettings,
      options: DatabricksOperationOptions = {},
    ): Promise<void> {
      await transport.send(
        {
          method: 'POST',
          version: '2.1',
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
          version: '2.1',
          endpoint: 'jobs/delete',
          body: { job_id: jobId },
          idempotent: true,
        },
        options,
      );
    },
  };
}
