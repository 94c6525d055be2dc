// Pure: job shapes of Jobs API 2.1, typed where bricklane reads fields, open elsewhere.

/**
 * jobs/create body and jobs/reset `new_settings`. Reset replaces all settings (Jobs API 2.1), so callers
 * send the full desired settings, not a patch.
 */
export interface JobSettings {
  name?: string;
  tasks?: Array<{ task_key: string; [field: string]: unknown }>;
  job_clusters?: Array<{ job_cluster_key: string; [field: string]: unknown }>;
  [field: string]: unknown;
}

/** jobs/get and the items of jobs/list. Without expand_tasks, list items omit `tasks` and `job_clusters`. */
export interface JobInfo {
  job_id: number;
  created_time?: number;
  creator_user_name?: string;
  settings: JobSettings;
  [field: string]: unknown;
}
