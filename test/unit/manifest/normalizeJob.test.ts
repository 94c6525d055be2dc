import { describe, expect, it } from 'vitest';
import type { BundleEntry, JobItem } from '../../../src/manifest/Bundle';
import { taskKeyFor } from '../../../src/manifest/convertSingleTaskJob';
import { baseEntries, errors, file, json, SMALL_CLUSTER, validate } from './bundleEntries';

function jobFrom(value: unknown, extra: BundleEntry[] = []): JobItem {
  const result = validate([
    ...baseEntries(),
    json('clusters/ml.json', { ...SMALL_CLUSTER, cluster_name: 'ML' }),
    ...extra,
    json('jobs/job.json', value),
  ]);
  expect(errors(result)).toEqual([]);
  const job = result.bundle?.jobs[0];
  if (job === undefined) throw new Error('no job');
  return job;
}

describe('the seed 2.0 single-task form', () => {
  it('becomes one 2.1 task; the cluster name moves to existing_cluster_name; the job keeps schedule and notifications', () => {
    const job = jobFrom({
      name: 'Nightly ETL',
      existing_cluster_id: 'Small',
      notebook_task: { notebook_path: 'notebooks/etl/ingest.py', base_parameters: { mode: 'full' } },
      libraries: [{ pypi: { package: 'requests==2.32.3' } }],
      timeout_seconds: 3600,
      max_retries: 2,
      min_retry_interval_millis: 60000,
      retry_on_timeout: true,
      schedule: { quartz_cron_expression: '0 30 2 * * ?', timezone_id: 'UTC' },
      email_notifications: { on_failure: ['ops@example.com'] },
      max_concurrent_runs: 1,
      format: 'SINGLE_TASK',
    });
    expect(job.key).toBe('jobs.Nightly ETL');
    expect(job.settings).toEqual({
      name: 'Nightly ETL',
      schedule: { quartz_cron_expression: '0 30 2 * * ?', timezone_id: 'UTC' },
      email_notifications: { on_failure: ['ops@example.com'] },
      max_concurrent_runs: 1,
      tasks: [
        {
          task_key: 'Nightly_ETL',
          existing_cluster_name: 'Small',
          notebook_task: { notebook_path: '/Shared/MyProject/etl/ingest', base_parameters: { mode: 'full' } },
          libraries: [{ pypi: { package: 'requests==2.32.3' } }],
          timeout_seconds: 3600,
          max_retries: 2,
          min_retry_interval_millis: 60000,
          retry_on_timeout: true,
        },
      ],
    });
    expect(job.clusterRefs).toEqual(['Small']);
    expect(job.notebookRefs).toEqual(['notebooks./Shared/MyProject/etl/ingest']);
  });

  it('keeps a new_cluster on the task', () => {
    const job = jobFrom({
      name: 'adhoc',
      new_cluster: SMALL_CLUSTER,
      notebook_task: { notebook_path: 'etl/report' },
    });
    expect(job.settings['tasks']).toEqual([
      {
        task_key: 'adhoc',
        new_cluster: SMALL_CLUSTER,
        notebook_task: { notebook_path: '/Shared/MyProject/etl/report' },
      },
    ]);
    expect(job.clusterRefs).toEqual([]);
  });

  it.each([
    ['Nightly ETL', 'Nightly_ETL'],
    ['daily-report', 'daily-report'],
    ['  ', 'main'],
    ['étude / v2', 'tude_v2'],
    ['x'.repeat(150), 'x'.repeat(100)],
  ])('derives the task key from the name: %j -> %j', (name, key) => {
    expect(taskKeyFor(name)).toBe(key);
  });
});

describe('the 2.1 multi-task form', () => {
  it('resolves cluster names, job clusters and dependencies', () => {
    const job = jobFrom({
      name: 'daily_report',
      job_clusters: [{ job_cluster_key: 'report', new_cluster: SMALL_CLUSTER }],
      tasks: [
        {
          task_key: 'transform',
          existing_cluster_name: 'Small',
          notebook_task: { notebook_path: 'etl/report' },
        },
        {
          task_key: 'report',
          depends_on: [{ task_key: 'transform' }],
          job_cluster_key: 'report',
          notebook_task: { notebook_path: 'etl/ingest' },
        },
        {
          task_key: 'ml',
          depends_on: [{ task_key: 'report' }],
          existing_cluster_id: 'ML',
          notebook_task: { notebook_path: '/Repos/x/y' },
        },
      ],
    });
    expect(job.settings['tasks']).toEqual([
      {
        task_key: 'transform',
        existing_cluster_name: 'Small',
        notebook_task: { notebook_path: '/Shared/MyProject/etl/report' },
      },
      {
        task_key: 'report',
        depends_on: [{ task_key: 'transform' }],
        job_cluster_key: 'report',
        notebook_task: { notebook_path: '/Shared/MyProject/etl/ingest' },
      },
      {
        task_key: 'ml',
        depends_on: [{ task_key: 'report' }],
        existing_cluster_name: 'ML',
        notebook_task: { notebook_path: '/Repos/x/y' },
      },
    ]);
    expect(job.clusterRefs).toEqual(['ML', 'Small']);
  });

  it('passes a real cluster id through as existing_cluster_id', () => {
    const job = jobFrom({
      name: 'j',
      tasks: [
        {
          task_key: 'a',
          existing_cluster_id: '0123-456789-abcdefgh',
          notebook_task: { notebook_path: 'etl/ingest' },
        },
      ],
    });
    expect(job.settings['tasks']).toEqual([
      {
        task_key: 'a',
        existing_cluster_id: '0123-456789-abcdefgh',
        notebook_task: { notebook_path: '/Shared/MyProject/etl/ingest' },
      },
    ]);
    expect(job.clusterRefs).toEqual([]);
  });

  it('resolves the task inside for_each_task', () => {
    const job = jobFrom({
      name: 'loop',
      tasks: [
        {
          task_key: 'each',
          for_each_task: {
            inputs: '["a","b"]',
            task: {
              task_key: 'each_inner',
              existing_cluster_id: 'Small',
              notebook_task: { notebook_path: 'etl/ingest' },
            },
          },
        },
      ],
    });
    expect(job.settings['tasks']).toEqual([
      {
        task_key: 'each',
        for_each_task: {
          inputs: '["a","b"]',
          task: {
            task_key: 'each_inner',
            existing_cluster_name: 'Small',
            notebook_task: { notebook_path: '/Shared/MyProject/etl/ingest' },
          },
        },
      },
    ]);
    expect(job.clusterRefs).toEqual(['Small']);
  });

  it('does not change the bundle file it read', () => {
    const raw = {
      name: 'j',
      tasks: [
        { task_key: 'a', existing_cluster_id: 'Small', notebook_task: { notebook_path: 'etl/ingest' } },
      ],
    };
    const entry = json('jobs/job.json', raw);
    const before = JSON.stringify(entry.json);
    validate([...baseEntries(), entry]);
    expect(JSON.stringify(entry.json)).toBe(before);
  });
});

describe('bundle-relative notebook paths', () => {
  const target = (notebookPath: string, options: object = {}, source?: string): unknown => {
    const job = jobFrom(
      {
        name: 'j',
        existing_cluster_id: 'Small',
        notebook_task: { notebook_path: notebookPath, ...(source ? { source } : {}) },
      },
      [json('bricklane.json', options), file('notebooks/etl/config.yml', 'a: 1\n')],
    );
    const [task] = job.settings['tasks'] as { notebook_task: { notebook_path: string } }[];
    return task?.notebook_task.notebook_path;
  };

  it.each([
    ['notebooks/etl/ingest.py', '/Shared/MyProject/etl/ingest'],
    ['etl/ingest.py', '/Shared/MyProject/etl/ingest'],
    ['etl/ingest', '/Shared/MyProject/etl/ingest'],
    ['./etl/ingest', '/Shared/MyProject/etl/ingest'],
    ['notebooks/etl/ingest', '/Shared/MyProject/etl/ingest'],
    ['./notebooks/etl/../etl/report.sql', '/Shared/MyProject/etl/report'],
    ['/Shared/elsewhere/nb', '/Shared/elsewhere/nb'],
    ['/Workspace/Users/a@b.c/nb', '/Workspace/Users/a@b.c/nb'],
  ])('%s -> %s', (notebookPath, expected) => {
    expect(target(notebookPath)).toBe(expected);
  });

  it('uses the configured root and kept extensions', () => {
    expect(target('etl/ingest', { notebookRoot: '/Users/ci/app', keepNotebookExtensions: true })).toBe(
      '/Users/ci/app/etl/ingest.py',
    );
  });

  it('leaves paths of GIT-sourced tasks alone', () => {
    expect(target('src/notebook', {}, 'GIT')).toBe('src/notebook');
  });

  it('reports an ambiguous extensionless path when extensions are kept', () => {
    const result = validate([
      json('bricklane.json', { keepNotebookExtensions: true }),
      json('clusters/small.json', SMALL_CLUSTER),
      file('notebooks/a.py'),
      file('notebooks/a.sql'),
      json('jobs/j.json', { name: 'j', existing_cluster_id: 'Small', notebook_task: { notebook_path: 'a' } }),
    ]);
    expect(errors(result).map((d) => d.code)).toEqual(['JOB_PATH_AMBIGUOUS']);
  });

  it('resolves spark_python_task.python_file to a bundle workspace file', () => {
    const job = jobFrom(
      { name: 'py', existing_cluster_id: 'Small', spark_python_task: { python_file: 'tools/run.pyw' } },
      [file('notebooks/tools/run.pyw', 'print(1)\n')],
    );
    expect(job.settings['tasks']).toEqual([
      {
        task_key: 'py',
        existing_cluster_name: 'Small',
        spark_python_task: { python_file: '/Shared/MyProject/tools/run.pyw' },
      },
    ]);
  });
});

describe('serverless jobs', () => {
  const environments = [
    { environment_key: 'default', spec: { environment_version: '2', dependencies: ['requests==2.32.3'] } },
  ];
  const serverless = (task: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    name: 'serverless',
    environments,
    tasks: [{ task_key: 'run', notebook_task: { notebook_path: 'etl/ingest' }, ...task }],
    ...extra,
  });
  const codes = (value: unknown) =>
    validate([...baseEntries(), json('jobs/job.json', value)]).diagnostics.map((d) => [d.code, d.path]);

  it('deploys environments and environment_key as they are, with no cluster', () => {
    const job = jobFrom(serverless({ environment_key: 'default' }));
    expect(job.settings['environments']).toEqual(environments);
    expect(job.settings['tasks']).toEqual([
      {
        task_key: 'run',
        environment_key: 'default',
        notebook_task: { notebook_path: '/Shared/MyProject/etl/ingest' },
      },
    ]);
    expect(job.clusterRefs).toEqual([]);
  });

  it('refuses an environment_key the job does not define, with the keys it has and how to add it', () => {
    const result = validate([
      ...baseEntries(),
      json('jobs/job.json', serverless({ environment_key: 'gpu' })),
    ]);
    expect(errors(result)).toEqual([
      expect.objectContaining({
        code: 'JOB_UNKNOWN_ENVIRONMENT',
        file: 'jobs/job.json',
        path: '$.tasks[0].environment_key',
        summary: expect.stringContaining('(keys: default); add {"environment_key": "gpu"'),
      }),
    ]);
  });

  it.each([
    ['existing_cluster_name', 'Small'],
    ['existing_cluster_id', '0123-456789-abcdefgh'],
    ['new_cluster', { ...SMALL_CLUSTER, init_scripts: [{ workspace: { destination: 'setup.sh' } }] }],
  ])('refuses a serverless task on a cluster (%s)', (field, value) => {
    expect(codes(serverless({ environment_key: 'default', [field]: value }))).toEqual([
      ['JOB_SERVERLESS_TASK_COMPUTE', `$.tasks[0].${field}`],
    ]);
  });

  it('refuses a serverless task on a job cluster', () => {
    const jobClusters = [{ job_cluster_key: 'main', new_cluster: SMALL_CLUSTER }];
    expect(
      codes(
        serverless({ environment_key: 'default', job_cluster_key: 'main' }, { job_clusters: jobClusters }),
      ),
    ).toEqual([['JOB_SERVERLESS_TASK_COMPUTE', '$.tasks[0].job_cluster_key']]);
  });

  it('refuses duplicate environment keys and a spec without a version; warns on the deprecated client', () => {
    const twice = [...environments, { environment_key: 'default', spec: { dependencies: [] } }];
    expect(codes(serverless({ environment_key: 'default' }, { environments: twice }))).toEqual([
      ['JOB_ENVIRONMENT_KEY_DUPLICATE', '$.environments[1].environment_key'],
      ['JOB_ENVIRONMENT_VERSION_MISSING', '$.environments[1].spec'],
    ]);
    const client = [{ environment_key: 'default', spec: { client: '1' } }];
    expect(codes(serverless({ environment_key: 'default' }, { environments: client }))).toEqual([
      ['JOB_ENVIRONMENT_CLIENT_DEPRECATED', '$.environments[0].spec.client'],
    ]);
  });

  it('checks the environments entries against the schema', () => {
    expect(
      codes(
        serverless(
          {},
          { environments: [{ environment_key: 'bad key!', spec: { environment_version: '2' } }] },
        ),
      ),
    ).toEqual([['JOB_INVALID', '$.environments[0].environment_key']]);
  });
});

describe('seed-era forms that still deploy', () => {
  const diagnosticsOf = (value: unknown) =>
    validate([...baseEntries(), json('jobs/job.json', value)]).diagnostics.map((d) => [
      d.severity,
      d.code,
      d.path,
    ]);

  it('warns once about the 2.0 single-task form, pointing at validate --upgrade', () => {
    const job = { name: 'old', existing_cluster_id: 'Small', notebook_task: { notebook_path: 'etl/ingest' } };
    expect(diagnosticsOf(job)).toEqual([['warning', 'JOB_SINGLE_TASK_FORM', '$']]);
    const summary = validate([...baseEntries(), json('jobs/job.json', job)]).diagnostics[0]?.summary;
    expect(summary).toContain('bricklane validate --upgrade');
  });

  it('warns about a cluster name in a 2.1 task’s existing_cluster_id, not about a real id or existing_cluster_name', () => {
    const job = (task: Record<string, unknown>) => ({
      name: 'new',
      tasks: [{ task_key: 't', notebook_task: { notebook_path: 'etl/ingest' }, ...task }],
    });
    expect(diagnosticsOf(job({ existing_cluster_id: 'Small' }))).toEqual([
      ['warning', 'JOB_CLUSTER_NAME_IN_ID', '$.tasks[0].existing_cluster_id'],
    ]);
    expect(diagnosticsOf(job({ existing_cluster_id: '0123-456789-abcdefgh' }))).toEqual([]);
    expect(diagnosticsOf(job({ existing_cluster_name: 'Small' }))).toEqual([]);
  });
});
