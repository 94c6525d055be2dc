import { describe, expect, it } from 'vitest';
import type { FieldChange } from '../../../src/planning/DeployPlan';
import {
  boundValue,
  createDiff,
  diffFields,
  HIDDEN_VALUE,
  MAX_STEP_FIELD_CHANGES,
  MAX_VALUE_CHARS,
  MAX_VALUE_ITEMS,
  updateDiff,
} from '../../../src/planning/diffFields';
import { isSubsetEqual } from '../../../src/planning/isSubsetEqual';

const ACL = [
  { user_name: 'alice@contoso.com', permission_level: 'CAN_MANAGE' },
  { group_name: 'data-eng', permission_level: 'CAN_VIEW' },
];

describe('diffFields', () => {
  const cases: Array<{ name: string; desired: unknown; live: unknown; expected: FieldChange[] }> = [
    {
      name: 'fields the server fills in are not changes',
      desired: { num_workers: 2, spark_version: '15.4.x-scala2.12' },
      live: { num_workers: 2, spark_version: '15.4.x-scala2.12', default_tags: { Vendor: 'Databricks' } },
      expected: [],
    },
    {
      name: 'a changed leaf, old and new',
      desired: { num_workers: 3, node_type_id: 'Standard_DS3_v2' },
      live: { num_workers: 1, node_type_id: 'Standard_DS3_v2', state: 'RUNNING' },
      expected: [{ path: 'num_workers', before: 1, after: 3 }],
    },
    {
      name: 'nested leaves by their path; a field not set live has no before',
      desired: { autoscale: { min_workers: 2, max_workers: 8 }, spark_conf: { 'spark.speculation': 'true' } },
      live: { autoscale: { min_workers: 2, max_workers: 4 } },
      expected: [
        { path: 'autoscale.max_workers', before: 4, after: 8 },
        { path: 'spark_conf["spark.speculation"]', after: 'true' },
      ],
    },
    {
      name: 'tasks item by item, with the index in the path',
      desired: { tasks: [{ task_key: 'a', timeout_seconds: 60 }, { task_key: 'b' }] },
      live: { tasks: [{ task_key: 'a', timeout_seconds: 30 }, { task_key: 'b' }] },
      expected: [{ path: 'tasks[0].timeout_seconds', before: 30, after: 60 }],
    },
    {
      name: 'a longer list: the new item field by field',
      desired: { tasks: [{ task_key: 'a' }, { task_key: 'b', new_cluster: { num_workers: 2 } }] },
      live: { tasks: [{ task_key: 'a' }] },
      expected: [
        { path: 'tasks[1].new_cluster.num_workers', after: 2 },
        { path: 'tasks[1].task_key', after: 'b' },
      ],
    },
    {
      name: 'a shorter list: the live items past the end are removed',
      desired: { tags: ['a'] },
      live: { tags: ['a', 'b', 'c'] },
      expected: [
        { path: 'tags[1]', before: 'b' },
        { path: 'tags[2]', before: 'c' },
      ],
    },
    {
      name: 'access_control_list, run_as and init_scripts change as a whole',
      desired: {
        run_as: { user_name: 'mallory@evil.example' },
        access_control_list: [...ACL, { user_name: 'mallory@evil.example', permission_level: 'IS_OWNER' }],
        init_scripts: [{ workspace: { destination: '/Shared/x/new.sh' } }],
      },
      live: {
        run_as: { user_name: 'etl@contoso.com' },
        access_control_list: ACL,
        init_scripts: [{ workspace: { destination: '/Shared/x/old.sh' } }],
      },
      expected: [
        {
          path: 'access_control_list',
          before: ACL,
          after: [...ACL, { user_name: 'mallory@evil.example', permission_level: 'IS_OWNER' }],
        },
        {
          path: 'init_scripts',
          before: [{ workspace: { destination: '/Shared/x/old.sh' } }],
          after: [{ workspace: { destination: '/Shared/x/new.sh' } }],
        },
        {
          path: 'run_as',
          before: { user_name: 'etl@contoso.com' },
          after: { user_name: 'mallory@evil.example' },
        },
      ],
    },
    {
      name: 'a type change differs as a whole',
      desired: { schedule: { quartz_cron_expression: '0 0 * * * ?' } },
      live: { schedule: 'daily' },
      expected: [{ path: 'schedule', before: 'daily', after: { quartz_cron_expression: '0 0 * * * ?' } }],
    },
    {
      name: 'an empty object the live side lacks is still a change',
      desired: { spark_env_vars: {} },
      live: {},
      expected: [{ path: 'spark_env_vars', after: {} }],
    },
  ];

  it.each(cases)('$name', ({ desired, live, expected }) => {
    expect(diffFields(desired, live)).toEqual(expected);
  });

  it.each(cases)('is empty exactly when the plan compares equal: $name', ({ desired, live }) => {
    expect(diffFields(desired, live).length === 0).toBe(isSubsetEqual(desired, live));
  });
});

describe('createDiff and updateDiff', () => {
  const job = {
    name: 'evil_job',
    run_as: { user_name: 'mallory@evil.example' },
    run_as_user_name: 'mallory@evil.example',
    access_control_list: ACL,
    git_source: { git_url: 'https://github.com/evil/x', git_provider: 'gitHub', git_branch: 'main' },
    job_clusters: [
      {
        job_cluster_key: 'c',
        new_cluster: {
          spark_version: '15.4.x-scala2.12',
          node_type_id: 'Standard_DS3_v2',
          autoscale: { min_workers: 1, max_workers: 50 },
          policy_id: 'P1',
          init_scripts: [{ dbfs: { destination: 'dbfs:/databricks/init/x.sh' } }],
        },
      },
    ],
    tasks: [
      {
        task_key: 'main',
        notebook_task: { notebook_path: '/Shared/x', base_parameters: { num_workers: '3' } },
        new_cluster: { driver_node_type_id: 'Standard_E64_v3', num_workers: 4 },
      },
    ],
  };

  it('a create lists its safety-relevant fields only, job clusters and task clusters included', () => {
    expect(createDiff(job).diff?.map((c) => c.path)).toEqual([
      'access_control_list',
      'git_source.git_branch',
      'git_source.git_provider',
      'git_source.git_url',
      'job_clusters[0].new_cluster.autoscale.max_workers',
      'job_clusters[0].new_cluster.autoscale.min_workers',
      'job_clusters[0].new_cluster.init_scripts',
      'job_clusters[0].new_cluster.node_type_id',
      'job_clusters[0].new_cluster.policy_id',
      'run_as',
      'run_as_user_name',
      'tasks[0].new_cluster.driver_node_type_id',
      'tasks[0].new_cluster.num_workers',
    ]);
    expect(createDiff({ name: 'plain', tasks: [{ task_key: 'a' }] })).toEqual({});
  });

  it('an update lists every change, safety-relevant fields first', () => {
    const live = { ...job, timeout_seconds: 10, run_as: { user_name: 'etl@contoso.com' } };
    expect(updateDiff({ ...job, timeout_seconds: 20 }, live).diff).toEqual([
      {
        path: 'run_as',
        before: { user_name: 'etl@contoso.com' },
        after: { user_name: 'mallory@evil.example' },
      },
      { path: 'timeout_seconds', before: 10, after: 20 },
    ]);
    expect(updateDiff(job, job)).toEqual({});
  });

  it('keeps at most MAX_STEP_FIELD_CHANGES per step and counts the rest; safety fields survive the cut', () => {
    const many = Object.fromEntries(
      Array.from({ length: 80 }, (_, i) => [`a${String(i).padStart(2, '0')}`, i]),
    );
    const { diff, diffOmitted } = updateDiff({ ...many, zz: { num_workers: 1 }, num_workers: 9 }, {});
    expect(diff).toHaveLength(MAX_STEP_FIELD_CHANGES);
    expect(diffOmitted).toBe(82 - MAX_STEP_FIELD_CHANGES);
    expect(diff?.[0]).toEqual({ path: 'num_workers', after: 9 });
  });
});

describe('credentials in a diff', () => {
  it.each([
    ['spark_conf', { 'fs.azure.account.key.lake.dfs.core.windows.net': 'c2VjcmV0' }],
    ['spark_env_vars', { DB_PASSWORD: 'hunter2' }],
    ['spark_env_vars', { API_TOKEN: 'dapi123' }],
    ['tasks', [{ task_key: 'a', notebook_task: { base_parameters: { client_secret: 's3cr3t' } } }]],
  ])('hides the value of %s %j, before and after', (field, value) => {
    const { diff } = updateDiff(
      { [field]: value },
      { [field]: JSON.parse(JSON.stringify(value).replace(/"[^"]+"}/, '"old"}')) as unknown },
    );
    expect(diff).toHaveLength(1);
    expect(diff?.[0]).toMatchObject({ before: HIDDEN_VALUE, after: HIDDEN_VALUE });
    expect(JSON.stringify(diff)).not.toMatch(/c2VjcmV0|hunter2|dapi123|s3cr3t/);
  });

  it('keeps a secret reference, which names the secret and not its value, and plain fields', () => {
    expect(
      updateDiff({ spark_env_vars: { DB_PASSWORD: '{{secrets/etl/db}}' }, num_workers: 2 }, {}).diff,
    ).toEqual([
      { path: 'num_workers', after: 2 },
      { path: 'spark_env_vars.DB_PASSWORD', after: '{{secrets/etl/db}}' },
    ]);
  });
});

describe('boundValue', () => {
  it('cuts long strings, long lists, wide and deep objects', () => {
    const long = 'x'.repeat(MAX_VALUE_CHARS + 50);
    expect(boundValue(long)).toBe(`${'x'.repeat(MAX_VALUE_CHARS)}…`);
    const list = boundValue(Array.from({ length: MAX_VALUE_ITEMS + 5 }, (_, i) => i)) as unknown[];
    expect(list).toHaveLength(MAX_VALUE_ITEMS + 1);
    expect(list.at(-1)).toBe('… 5 more');
    const wide = boundValue(Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`k${i}`, i])));
    expect(Object.keys(wide as object)).toHaveLength(MAX_VALUE_ITEMS + 1);
    expect((wide as Record<string, unknown>)['…']).toBe('5 more');
    expect(boundValue({ a: { b: { c: { d: { e: 1 } } } } })).toEqual({
      a: { b: { c: { d: { '…': '…' } } } },
    });
    expect(boundValue(null)).toBe(null);
    expect(boundValue(3)).toBe(3);
  });

  it('bounds what a step stores', () => {
    const script = 'echo '.repeat(100);
    expect(updateDiff({ spark_env_vars: { SCRIPT: script } }, {}).diff).toEqual([
      { path: 'spark_env_vars.SCRIPT', after: `${script.slice(0, MAX_VALUE_CHARS)}…` },
    ]);
  });
});
