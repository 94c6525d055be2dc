import { describe, expect, it } from 'vitest';
import { sha256OfJson } from '../../../src/manifest/sha256OfJson';
import { baseEntries, errors, json, SMALL_CLUSTER, validate } from './bundleEntries';

const JOB = {
  name: 'etl',
  tasks: [{ task_key: 'a', existing_cluster_name: 'Small', notebook_task: { notebook_path: 'etl/ingest' } }],
};

describe('permissions on jobs, clusters, policies and the notebook folder', () => {
  it('takes `permissions` out of the job and cluster bodies into one item per object', () => {
    const result = validate([
      ...baseEntries().filter((e) => e.path !== 'clusters/small.json'),
      json('clusters/small.json', {
        ...SMALL_CLUSTER,
        permissions: [{ group_name: 'ops', permission_level: 'CAN_RESTART' }],
      }),
      json('jobs/etl.json', {
        ...JOB,
        permissions: [
          { user_name: 'ann@example.com', level: 'CAN_MANAGE_RUN' },
          { group_name: 'analysts', permission_level: 'CAN_VIEW' },
        ],
      }),
      json('policies/p.json', {
        name: 'p',
        definition: {},
        permissions: [{ group_name: 'ops', permission_level: 'CAN_USE' }],
      }),
      json('bricklane.json', {
        permissions: [{ service_principal_name: 'app-1', permission_level: 'CAN_READ' }],
      }),
    ]);
    expect(errors(result)).toEqual([]);
    const bundle = result.bundle;
    expect(bundle?.jobs[0]?.settings).not.toHaveProperty('permissions');
    expect(bundle?.jobs[0]?.sha256).toBe(sha256OfJson(bundle?.jobs[0]?.settings));
    expect(bundle?.clusters[0]?.spec).not.toHaveProperty('permissions');
    expect(bundle?.permissions.map((p) => [p.key, p.objectType, p.target])).toEqual([
      ['permissions.clusters.Small', 'clusters', 'Small'],
      ['permissions.directories./Shared/MyProject', 'directories', '/Shared/MyProject'],
      ['permissions.jobs.etl', 'jobs', 'etl'],
      ['permissions.policies.p', 'cluster-policies', 'p'],
    ]);
    const job = bundle?.permissions.find((p) => p.key === 'permissions.jobs.etl');
    // `level` (the bundle spelling) becomes the API's permission_level; entries keep the file's order.
    expect(job?.entries).toEqual([
      { user_name: 'ann@example.com', permission_level: 'CAN_MANAGE_RUN' },
      { group_name: 'analysts', permission_level: 'CAN_VIEW' },
    ]);
    expect(job?.authoritative).toBe(false);
    expect(job?.sha256).toBe(sha256OfJson({ entries: job?.entries, authoritative: false }));
  });

  it('makes every list authoritative when the options say so (its hash changes with it)', () => {
    const result = validate([
      ...baseEntries(),
      json('bricklane.json', {
        authoritativePermissions: true,
        permissions: [{ group_name: 'analysts', permission_level: 'CAN_READ' }],
      }),
    ]);
    expect(result.bundle?.permissions[0]?.authoritative).toBe(true);
  });

  it('refuses levels the object type does not have, two levels for one principal, and entries without one principal', () => {
    const result = validate([
      ...baseEntries(),
      json('jobs/etl.json', {
        ...JOB,
        permissions: [
          { group_name: 'analysts', permission_level: 'CAN_USE' },
          { group_name: 'ops', permission_level: 'CAN_VIEW' },
          { group_name: 'ops', permission_level: 'CAN_MANAGE' },
          { user_name: 'a@example.com', group_name: 'ops', permission_level: 'CAN_VIEW' },
        ],
      }),
      json('bricklane.json', { permissions: { group_name: 'x' } }),
    ]);
    expect(errors(result).map((d) => [d.file, d.code, d.path])).toEqual([
      ['bricklane.json', 'OPTIONS_INVALID', '$.permissions'],
      ['jobs/etl.json', 'PERMISSIONS_INVALID', '$.permissions[0].permission_level'],
      ['jobs/etl.json', 'PERMISSIONS_INVALID', '$.permissions[2]'],
      ['jobs/etl.json', 'PERMISSIONS_INVALID', '$.permissions[3]'],
    ]);
    expect(errors(result)[1]?.summary).toBe(
      '`permission_level` "CAN_USE" is not a level of jobs (Permissions API: CAN_VIEW, CAN_MANAGE_RUN, IS_OWNER, CAN_MANAGE).',
    );
  });
});
