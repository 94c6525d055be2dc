// Pure: the Jobs 2.1 settings fields bricklane checks; every other field passes through to the API.
// https://learn.microsoft.com/azure/databricks/api/workspace/jobs/create
import { z } from 'zod';

const object = z.record(z.string(), z.unknown());
const taskKey = z.string().regex(/^[\w-]{1,100}$/);

export const jobTaskSchema = z.looseObject({
  task_key: taskKey,
  depends_on: z.array(z.looseObject({ task_key: z.string() })).optional(),
  existing_cluster_id: z.string().min(1).optional(),
  existing_cluster_name: z.string().min(1).optional(),
  job_cluster_key: z.string().min(1).optional(),
  new_cluster: object.optional(),
  notebook_task: z
    .looseObject({
      notebook_path: z.string().min(1),
      source: z.enum(['WORKSPACE', 'GIT']).optional(),
      base_parameters: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
  spark_python_task: z
    .looseObject({
      python_file: z.string().min(1),
      parameters: z.array(z.string()).optional(),
      source: z.enum(['WORKSPACE', 'GIT']).optional(),
    })
    .optional(),
  libraries: z.array(object).optional(),
  timeout_seconds: z.int().min(0).optional(),
  // -1 retries indefinitely.
  max_retries: z.int().min(-1).optional(),
  min_retry_interval_millis: z.int().min(0).optional(),
  retry_on_timeout: z.boolean().optional(),
});

export const jobSettingsSchema = z.looseObject({
  tasks: z.array(jobTaskSchema).min(1).optional(),
  job_clusters: z.array(z.looseObject({ job_cluster_key: taskKey, new_cluster: object })).optional(),
  max_concurrent_runs: z.int().min(0).max(1000).optional(),
  timeout_seconds: z.int().min(0).optional(),
  schedule: z
    .looseObject({
      quartz_cron_expression: z.string().min(1),
      timezone_id: z.string().min(1),
      pause_status: z.enum(['PAUSED', 'UNPAUSED']).optional(),
    })
    .optional(),
  email_notifications: object.optional(),
  tags: z.record(z.string(), z.string()).optional(),
});
