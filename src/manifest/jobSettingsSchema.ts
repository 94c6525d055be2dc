// Pure: the Jobs 2.1 settings fields bricklane checks; every other field passes through to the API.
// https://learn.microsoft.com/azure/databricks/api/workspace/jobs/create
// Serverless jobs: `environments` lists the job's environment specs (JobEnvironment: `environment_key`, "unique
// within a job", and `spec`, compute.Environment: `environment_version`, or the older `client` it replaces, and pip
// `dependencies`); a task picks one with `environment_key` and names no cluster. normalizeJob.ts checks the keys.
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
  environment_key: z.string().min(1).optional(),
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

/** One entry of `environments`; `environment_version` is required, `client` is its deprecated spelling. */
export const jobEnvironmentSchema = z.looseObject({
  environment_key: taskKey,
  spec: z.looseObject({
    client: z.string().min(1).optional(),
    environment_version: z.string().min(1).optional(),
    dependencies: z.array(z.string().min(1)).optional(),
    java_dependencies: z.array(z.string().min(1)).optional(),
  }),
});

export const jobSettingsSchema = z.looseObject({
  tasks: z.array(jobTaskSchema).min(1).optional(),
  job_clusters: z.array(z.looseObject({ job_cluster_key: taskKey, new_cluster: object })).optional(),
  environments: z.array(jobEnvironmentSchema).optional(),
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
