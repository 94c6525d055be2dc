import { describe, expect, it } from 'vitest';
import { sha256OfJson } from '../../../src/manifest/sha256OfJson';
import { baseEntries, errors, json, SMALL_CLUSTER, validate } from './bundleEntries';

const POLICY = {
  name: 'small',
  description: 'at most 4 workers, DS3 only',
  definition: {
    num_workers: { type: 'range', maxValue: 4 },
    node_type_id: { type: 'allowlist', values: ['Standard_DS3_v2'] },
    'custom_tags.team': { type: 'fixed', value: 'data' },
    cluster_type: { type: 'allowlist', values: ['all-purpose', 'job'] },
  },
  max_clusters_per_user: 2,
};

const withCluster = (cluster: Record<string, unknown>, extra = [json('policies/small.json', POLICY)]) => [
  ...baseEntries().filter((e) => e.path !== 'clusters/small.json'),
  json('clusters/small.json', cluster),
  ...extra,
];

describe('clusters and job clusters against their policy', () => {
  it('deploys a policy by name and a cluster that names it, the definition sent as a string', () => {
    const result = validate(withCluster({ ...SMALL_CLUSTER, policy_name: 'small' }));
    expect(errors(result)).toEqual([]);
    const policy = result.bundle?.policies[0];
    expect(policy).toMatchObject({ key: 'policies.small', name: 'small', source: 'policies/small.json' });
    expect(JSON.parse(String(policy?.spec['definition']))).toEqual(POLICY.definition);
    expect(policy?.spec).toMatchObject({ max_clusters_per_user: 2, description: POLICY.description });
    const cluster = result.bundle?.clusters[0];
    expect(cluster?.spec['policy_name']).toBe('small');
    expect(cluster?.policyRefs).toEqual(['small']);
    expect(cluster?.sha256).toBe(sha256OfJson(cluster?.spec));
  });

  it('reads policy_id holding a bundle policy name as that policy (as existing_cluster_id names a cluster)', () => {
    const result = validate(withCluster({ ...SMALL_CLUSTER, policy_id: 'small' }));
    expect(errors(result)).toEqual([]);
    expect(result.bundle?.clusters[0]?.spec).toMatchObject({ policy_name: 'small' });
    expect(result.bundle?.clusters[0]?.spec).not.toHaveProperty('policy_id');
  });

  it('passes a workspace policy id through unchecked', () => {
    const result = validate(
      withCluster({ ...SMALL_CLUSTER, policy_id: 'E0631F5C0D00065B', num_workers: 40 }),
    );
    expect(errors(result)).toEqual([]);
    expect(result.bundle?.clusters[0]?.spec['policy_id']).toBe('E0631F5C0D00065B');
  });

  // `custom_tags.team` is fixed and left out: the policy sets it, which is no violation.
  it('refuses a cluster the policy forbids, with every rule it breaks, before any call', () => {
    const result = validate(
      withCluster({
        ...SMALL_CLUSTER,
        policy_name: 'small',
        num_workers: 8,
        node_type_id: 'Standard_DS4_v2',
      }),
    );
    expect(result.bundle).toBeUndefined();
    const broken = errors(result).filter((d) => d.code === 'CLUSTER_POLICY_VIOLATION');
    expect(broken.map((d) => [d.file, d.path])).toEqual([
      ['clusters/small.json', '$.num_workers'],
      ['clusters/small.json', '$.node_type_id'],
    ]);
    expect(broken[0]?.summary).toBe(
      'Cluster "Small" breaks policy "small" (policies/small.json): `num_workers` is 8, but the policy requires a number of at most 4 (rule {"type":"range","maxValue":4}).',
    );
  });

  it('checks job clusters as cluster_type "job"', () => {
    const policy = { ...POLICY, definition: { cluster_type: { type: 'fixed', value: 'all-purpose' } } };
    const job = {
      name: 'etl',
      job_clusters: [{ job_cluster_key: 'main', new_cluster: { ...SMALL_CLUSTER, policy_id: 'small' } }],
      tasks: [{ task_key: 'a', job_cluster_key: 'main', notebook_task: { notebook_path: 'etl/ingest' } }],
    };
    const result = validate([
      ...withCluster(SMALL_CLUSTER, [json('policies/small.json', policy)]),
      json('jobs/etl.json', job),
    ]);
    expect(errors(result).map((d) => [d.code, d.path])).toEqual([
      ['CLUSTER_POLICY_VIOLATION', '$.job_clusters[0].new_cluster.cluster_type'],
    ]);
  });

  it('names the job policy reference by name for apply to resolve', () => {
    const job = {
      name: 'etl',
      tasks: [
        {
          task_key: 'a',
          new_cluster: { ...SMALL_CLUSTER, custom_tags: { team: 'data' }, policy_name: 'small' },
          notebook_task: { notebook_path: 'etl/ingest' },
        },
      ],
    };
    const result = validate([...withCluster(SMALL_CLUSTER), json('jobs/etl.json', job)]);
    expect(errors(result)).toEqual([]);
    expect(result.bundle?.jobs[0]?.policyRefs).toEqual(['small']);
  });

  it('refuses a policy_name the bundle does not define, and both policy fields at once', () => {
    expect(
      errors(validate(withCluster({ ...SMALL_CLUSTER, policy_name: 'large' }))).map((d) => d.code),
    ).toEqual(['CLUSTER_UNKNOWN_POLICY']);
    expect(
      errors(validate(withCluster({ ...SMALL_CLUSTER, policy_name: 'small', policy_id: 'small' }))).map(
        (d) => d.code,
      ),
    ).toEqual(['CLUSTER_POLICY_REF_CONFLICT']);
  });

  it('refuses policy files that are not policies', () => {
    const result = validate([
      ...baseEntries(),
      json('policies/a.json', { ...POLICY, definition: { x: { type: 'maybe' } } }),
      json('policies/b.json', { ...POLICY, name: 'b', definition: '{not json' }),
      json('policies/c.json', { ...POLICY, name: 'small' }),
      json('policies/d.json', { name: 'd', definition: {}, policy_family_id: 'job-cluster' }),
    ]);
    expect(errors(result).map((d) => [d.file, d.code])).toEqual([
      ['policies/a.json', 'POLICY_DEFINITION_INVALID'],
      ['policies/b.json', 'POLICY_INVALID'],
      ['policies/c.json', 'POLICY_NAME_DUPLICATE'],
      ['policies/d.json', 'POLICY_INVALID'],
    ]);
  });
});
