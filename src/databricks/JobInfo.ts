// Pure: job shapes of Jobs API 2.2, typed where bricklane reads fields, open elsewhere.

/**
 * jobs/create body and jobs/reset `new_settings`. Reset replaces all settings, so callers send the full desired
 * settings, not a patch, and `queue` with them: under 2.2 a job created or reset without it is queued
 * (https://learn.microsoft.com/azure/databricks/reference/jobs-api-2-2-updates).
 */
export interface JobSettings {
  name?: string;
  tasks?: Array<{ task_key: string; [field: string]: unknown }>;
  job_clusters?: Array<{ job_cluster_key: string; [field: string]: unknown }>;
  queue?: { enabled: boolean };
  [field: string]: unknown;
}

/**
 * jobs/get and the items of jobs/list. Without expand_tasks, list items omit `tasks` and `job_clusters`; with it,
 * they show at most 100 of each and `has_more: true` when the job has more (read it whole with getJob).
 */
export interface JobInfo {
  job_id: number;
  created_time?: number;
  creator_user_name?: string;
  settings: JobSettings;
  /** jobs/list 2.2 with expand_tasks: the job has more tasks or job clusters than the item shows. */
  has_more?: boolean;
  /** jobs/get 2.2: the token of the next page of the job's arrays. */
  next_page_token?: string;
  [field: string]: unknown;
}
