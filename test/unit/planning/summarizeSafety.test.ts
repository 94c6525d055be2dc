import { describe, expect, it } from 'vitest';
import type { PlanStep } from '../../../src/planning/DeployPlan';
import {
  permissionChanges,
  safetyTopicOf,
  summarizeSafety,
  type SafetyTopic,
} from '../../../src/planning/summarizeSafety';

describe('safetyTopicOf', () => {
  const cases: Array<[string, SafetyTopic | undefined]> = [
    ['run_as', 'runAs'],
    ['run_as_user_name', 'runAs'],
    ['access_control_list', 'permissions'],
    ['git_source.git_url', 'gitSource'],
    ['init_scripts', 'initScripts'],
    ['job_clusters[2].new_cluster.init_scripts', 'initScripts'],
    ['tasks[0].for_each_task.task.new_cluster.init_scripts', 'initScripts'],
    ['node_type_id', 'clusterSize'],
    ['driver_node_type_id', 'clusterSize'],
    ['num_workers', 'clusterSize'],
    ['autoscale.min_workers', 'clusterSize'],
    ['autoscale.max_workers', 'clusterSize'],
    ['tasks[3].new_cluster.num_workers', 'clusterSize'],
    ['job_clusters[0].new_cluster.autoscale.max_workers', 'clusterSize'],
    ['policy_id', 'policy'],
    ['job_clusters[0].new_cluster.policy_id', 'policy'],
    // Same names elsewhere are not what they say.
    ['tasks[0].notebook_task.base_parameters.num_workers', undefined],
    ['spark_conf["spark.num_workers"]', undefined],
    ['tags.run_as', undefined],
    ['spark_version', undefined],
    ['timeout_seconds', undefined],
  ];
  it.each(cases)('%s -> %s', (path, topic) => {
    expect(safetyTopicOf(path)).toBe(topic);
  });
});

describe('permissionChanges', () => {
  const alice = { user_name: 'alice@contoso.com', permission_level: 'CAN_MANAGE' };
  const team = { group_name: 'data-eng', permission_level: 'CAN_VIEW' };
  const cases: Array<{ name: string; before: unknown; after: unknown; expected: unknown }> = [
    {
      name: 'a new list grants every entry',
      before: undefined,
      after: [alice, { service_principal_name: '7f3c', permission_level: 'IS_OWNER' }],
      expected: [
        { principal: 'service principal 7f3c', after: 'IS_OWNER' },
        { principal: 'user alice@contoso.com', after: 'CAN_MANAGE' },
      ],
    },
    {
      name: 'a level raised, a principal added, one removed; the unchanged one is left out',
      before: [alice, team],
      after: [
        { ...alice, permission_level: 'IS_OWNER' },
        { user_name: 'mallory@evil.example', permission_level: 'CAN_MANAGE_RUN' },
      ],
      expected: [
        { principal: 'group data-eng', before: 'CAN_VIEW' },
        { principal: 'user alice@contoso.com', before: 'CAN_MANAGE', after: 'IS_OWNER' },
        { principal: 'user mallory@evil.example', after: 'CAN_MANAGE_RUN' },
      ],
    },
    {
      name: 'entries reordered: nothing changes',
      before: [alice, team],
      after: [team, alice],
      expected: [],
    },
    {
      name: 'a cut list shows its tail as it is, an entry without a principal as JSON',
      before: undefined,
      after: [{ permission_level: 'CAN_VIEW' }, '… 3 more'],
      expected: [
        { principal: '{"permission_level":"CAN_VIEW"}', after: 'CAN_VIEW' },
        { principal: '… 3 more', after: '' },
      ],
    },
  ];
  it.each(cases)('$name', ({ before, after, expected }) => {
    expect(permissionChanges(before, after)).toEqual(expected);
  });
});

describe('summarizeSafety', () => {
  const step = (s: Partial<PlanStep> & Pick<PlanStep, 'key' | 'action'>): PlanStep => ({
    kind: 'jobs',
    wave: 3,
    target: s.key.slice(s.key.indexOf('.') + 1),
    reason: 'r',
    ...s,
  });
  const plan = {
    steps: [
      step({
        key: 'clusters.Small',
        kind: 'clusters',
        action: 'update',
        diff: [
          { path: 'num_workers', before: 1, after: 40 },
          { path: 'policy_id', after: 'P9' },
          { path: 'spark_version', before: '14.3.x', after: '15.4.x' },
        ],
        diffOmitted: 2,
      }),
      step({
        key: 'jobs.evil_job',
        action: 'create',
        diff: [
          {
            path: 'access_control_list',
            after: [{ user_name: 'mallory@evil.example', permission_level: 'IS_OWNER' }],
          },
          { path: 'run_as', after: { user_name: 'mallory@evil.example' } },
        ],
      }),
      step({ key: 'jobs.quiet', action: 'unchanged' }),
      step({ key: 'jobs.old', action: 'delete', wave: 4 }),
      step({ key: 'notebooks./Shared/x/nb', kind: 'notebooks', action: 'adopt' as PlanStep['action'] }),
    ],
  };
  const summary = summarizeSafety(plan);

  it('lists each safety-relevant field change with its object, in plan order', () => {
    expect(summary.changes.map((c) => [c.topic, c.key, c.action, c.path])).toEqual([
      ['clusterSize', 'clusters.Small', 'update', 'num_workers'],
      ['policy', 'clusters.Small', 'update', 'policy_id'],
      ['permissions', 'jobs.evil_job', 'create', 'access_control_list'],
      ['runAs', 'jobs.evil_job', 'create', 'run_as'],
    ]);
    expect(summary.changes[0]).toMatchObject({ target: 'Small', before: 1, after: 40 });
    expect(summary.changes[2]?.permissions).toEqual([
      { principal: 'user mallory@evil.example', after: 'IS_OWNER' },
    ]);
    expect(summary.changes[3]?.permissions).toBeUndefined();
  });

  it('lists every delete and adoption, and the steps whose diff was cut', () => {
    expect(summary.deletes.map((s) => s.key)).toEqual(['jobs.old']);
    expect(summary.adoptions.map((s) => s.key)).toEqual(['notebooks./Shared/x/nb']);
    expect(summary.cut).toEqual(['clusters.Small']);
  });

  it('is empty for a plan that changes nothing that matters for safety', () => {
    expect(
      summarizeSafety({
        steps: [step({ key: 'jobs.a', action: 'update', diff: [{ path: 'timeout_seconds', after: 1 }] })],
      }),
    ).toEqual({ changes: [], deletes: [], adoptions: [], cut: [] });
  });
});
