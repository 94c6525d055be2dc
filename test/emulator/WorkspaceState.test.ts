// Test infrastructure: a workspace's snapshot (`--state-out`, the chaos and resume comparisons) holds every kind
// a deploy writes: policies, permissions keyed by object name, secret scopes with value hashes (never values),
// and job runs per job name; normalized, two worlds that numbered their objects differently compare equal.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { normalizeWorldState } from '../sandbox/normalizeWorldState';
import { IdSequences } from './IdSequences';
import { WorkspaceState } from './WorkspaceState';

/** One workspace with a policy, a cluster and a job that name it, permissions, a secret scope and a run. */
function seededWorkspace(ids = new IdSequences()): WorkspaceState {
  let clock = 1_000;
  const workspace = new WorkspaceState('dev', ['t'], {
    ids,
    now: () => (clock += 1_000),
    clusterTransitionInMs: () => 0,
    clusterServerDefaults: () => false,
    rateLimits: false,
  });
  const policyId = workspace.policies.create({
    name: 'small-only',
    definition: '{"autotermination_minutes":{"type":"fixed","value":30}}',
    max_clusters_per_user: 2,
  });
  const clusterId = workspace.createCluster(
    {
      cluster_name: 'Small',
      spark_version: '15.4.x-scala2.12',
      node_type_id: 'Standard_DS3_v2',
      num_workers: 1,
      policy_id: policyId,
    },
    'TERMINATED',
  );
  const jobId = workspace.createJob({
    name: 'nightly',
    tasks: [{ task_key: 'etl', existing_cluster_id: clusterId }],
    job_clusters: [{ job_cluster_key: 'jc', new_cluster: { policy_id: policyId } }],
  });
  workspace.mkdirs('/Shared/p');
  const folderId = String(workspace.getObject('/Shared/p')?.object_id);
  workspace.permissions.seed('jobs', String(jobId), 'group_name:data-engineers', 'CAN_MANAGE_RUN');
  workspace.permissions.seed('cluster-policies', policyId, 'group_name:users', 'CAN_USE');
  workspace.permissions.seed('directories', folderId, 'group_name:data-analysts', 'CAN_READ');
  workspace.secrets.createScope('etl', undefined);
  workspace.secrets.put('etl', 'db-password', 'hunter2-value', undefined);
  workspace.secrets.putAcl('etl', 'data-engineers', 'READ');
  // The second run-now carries the first one's idempotency token: it starts nothing.
  workspace.runs.runNow(jobId, 'token-1');
  workspace.runs.runNow(jobId, 'token-1');
  return workspace;
}

describe('WorkspaceState.snapshot', () => {
  it('holds policies, permissions by object name, secret scopes without values, and runs per job', () => {
    const snapshot = seededWorkspace().snapshot();
    const policyId = snapshot.policies[0]?.policy_id ?? '';
    expect(snapshot.policies).toEqual([
      {
        policy_id: expect.stringMatching(/^[0-9A-F]{16}$/) as string,
        name: 'small-only',
        definition: '{"autotermination_minutes":{"type":"fixed","value":30}}',
        max_clusters_per_user: 2,
      },
    ]);
    expect(snapshot.clusters[0]?.spec).toMatchObject({ policy_id: policyId });
    expect(snapshot.permissions).toEqual({
      'jobs/nightly': {
        'user_name:bricklane-emulator@example.com': 'IS_OWNER',
        'group_name:data-engineers': 'CAN_MANAGE_RUN',
      },
      'cluster-policies/small-only': { 'group_name:users': 'CAN_USE' },
      'directories//Shared/p': { 'group_name:data-analysts': 'CAN_READ' },
    });
    expect(snapshot.secretScopes).toEqual([
      {
        name: 'etl',
        keys: { 'db-password': createHash('sha256').update('hunter2-value').digest('hex') },
        acls: { 'bricklane-emulator@example.com': 'MANAGE', 'data-engineers': 'READ' },
      },
    ]);
    expect(JSON.stringify(snapshot)).not.toContain('hunter2-value');
    expect(snapshot.runs).toEqual({ nightly: { count: 1, results: ['SUCCESS'] } });
  });

  it('leaves out the list of an object deleted since, and counts a second run', () => {
    const workspace = seededWorkspace();
    const [policy] = workspace.policies.records();
    workspace.policies.delete(policy?.policyId);
    const [job] = workspace.jobs.records();
    workspace.runs.runNow(job?.jobId ?? 0, undefined);
    const snapshot = workspace.snapshot();
    expect(Object.keys(snapshot.permissions)).toEqual(['jobs/nightly', 'directories//Shared/p']);
    expect(snapshot.runs.nightly?.count).toBe(2);
  });

  it('normalizes to the same state in a world whose ids ran further (policy ids in clusters and job clusters)', () => {
    const further = new IdSequences();
    further.restore({ object: 3_000_000_000_700, cluster: 40, job: 700_000_090, run: 900_000_500 });
    const state = (workspace: WorkspaceState) =>
      normalizeWorldState({ environments: { dev: workspace.snapshot() }, releases: [] });
    const normalized = state(seededWorkspace());
    expect(state(seededWorkspace(further))).toEqual(normalized);
    expect(JSON.stringify(normalized)).toContain('"policy_id":"policy small-only"');
    const renamed = seededWorkspace(further);
    const [policy] = renamed.policies.records();
    renamed.policies.edit({ policy_id: policy?.policyId ?? '', name: 'other', definition: '{}' });
    expect(state(renamed)).not.toEqual(normalized);
  });
});
