// Pure: the seed's Jobs 2.0 single-task form -> Jobs 2.1/2.2 settings with one task (bricklane sends them to 2.2).
// In 2.1 the task carries what runs and where (cluster, libraries, retries, timeout); the job keeps
// when and who is told (schedule, notifications, concurrency). `format` is dropped: 2.1 jobs are
// multi-task. https://learn.microsoft.com/azure/databricks/reference/jobs-api-2-1-updates

/** The keys that say which kind of task runs. */
export const TASK_TYPE_KEYS: ReadonlySet<string> = new Set([
  'notebook_task',
  'spark_jar_task',
  'spark_python_task',
  'spark_submit_task',
  'python_wheel_task',
  'pipeline_task',
  'sql_task',
  'dbt_task',
  'run_job_task',
  'condition_task',
  'for_each_task',
]);

/** Top-level keys of a 2.0 job that belong to its one task in 2.1. */
export const SINGLE_TASK_KEYS: ReadonlySet<string> = new Set([
  ...TASK_TYPE_KEYS,
  'existing_cluster_id',
  'existing_cluster_name',
  'new_cluster',
  'libraries',
  'timeout_seconds',
  'max_retries',
  'min_retry_interval_millis',
  'retry_on_timeout',
]);

export function convertSingleTaskJob(job: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  const task: Record<string, unknown> = { task_key: taskKeyFor(job['name']) };
  for (const [key, value] of Object.entries(job)) {
    if (SINGLE_TASK_KEYS.has(key)) task[key] = value;
    else if (key !== 'format') settings[key] = value;
  }
  settings['tasks'] = [task];
  return settings;
}

/** A task key from the job name (`Nightly ETL` -> `Nightly_ETL`); task keys allow `[\w-]{1,100}`. */
export function taskKeyFor(name: unknown): string {
  const key =
    typeof name === 'string'
      ? name
          .replace(/[^\w-]+/g, '_')
          .replace(/^_+|_+$/g, '')
          .slice(0, 100)
      : '';
  return key === '' ? 'main' : key;
}
