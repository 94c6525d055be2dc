// Test infrastructure: the chaos checks catch what they are for: a duplicate (cluster, job, policy, secret scope,
// check run), a held claim, a ledger that disagrees with the workspace, a permission entry gone, an untrue message, a leaked secret or token. A clean outcome passes.
import { describe, expect, it } from 'vitest';
import { checkChaosRun, expectedState } from './checkChaosRun';
import { vaultSecrets, type ChaosOutcome } from './runChaosRelease';

const HASH = 'a'.repeat(64);

const AUDIT_LINE_SOURCE = 'bricklane-audit/dev/2026-12-05/00000.jsonl';

function outcome(): ChaosOutcome {
  return {
    durationMs: 1000,
    releaseId: 'release-1',
    status: {
      runtimeStatus: 'Completed',
      state: 'succeeded',
      stages: [{ environment: 'dev', state: 'succeeded' }],
    },
    state: {
      environments: {
        dev: {
          notebooks: { '/Shared/p/etl': { language: 'PYTHON', sha256: HASH } },
          workspaceFiles: { '/Shared/p/init.sh': HASH },
          dbfs: {},
          clusters: [
            { cluster_id: 'c1', cluster_name: 'Small', state: 'TERMINATED', spec: { policy_id: 'P1' } },
          ],
          jobs: [{ job_id: 7, settings: { name: 'nightly' } }],
          policies: [{ policy_id: 'P1', name: 'small-only', definition: '{}' }],
          permissions: {
            'jobs/nightly': {
              'user_name:bricklane-emulator@example.com': 'IS_OWNER',
              'group_name:data-engineers': 'CAN_MANAGE_RUN',
            },
          },
          secretScopes: [{ name: 'etl', keys: { 'db-password': HASH }, acls: { 'data-engineers': 'READ' } }],
          runs: { nightly: { count: 1, results: ['SUCCESS'] } },
        },
      },
    },
    ledgers: {
      dev: {
        entries: {
          'notebooks./Shared/p/etl': { hash: HASH, target: '/Shared/p/etl' },
          'initScripts.init.sh': { hash: HASH, target: '/Shared/p/init.sh' },
          'clusters.Small': { hash: HASH, target: 'c1' },
          'jobs.nightly': { hash: HASH, target: '7' },
          'policies.small-only': { hash: HASH, target: 'P1' },
          'permissions.jobs.nightly': { hash: HASH, target: 'jobs/7' },
          'secrets.etl': { hash: HASH, target: 'etl' },
          'secrets.etl/db-password': { hash: HASH, target: 'etl/db-password' },
        },
      },
    },
    claims: { 'bricklane-releases/environments/dev/apply-lock.json': { newest: { releaseId: 'release-1' } } },
    outputs: [
      { source: 'worker output', text: 'deployed dev' },
      { source: AUDIT_LINE_SOURCE, text: '{"v":1,"id":"release-1/dev/started/x","kind":"started"}\n' },
    ],
    secrets: [{ name: 'dev Key Vault databricks-dev-ops-client-secret', value: 's3cr3t-value-123' }],
    story: [],
    counts: { commits: 1, activities: 1, ledgerWrites: 1, releaseWrites: 1 },
  };
}

const environments = (o: ChaosOutcome): Record<string, Record<string, unknown[]>> =>
  o.state.environments as Record<string, Record<string, unknown[]>>;

describe('checkChaosRun', () => {
  it('passes an outcome like the fault-free one', () => {
    const verdict = checkChaosRun(outcome(), expectedState(outcome()));
    expect(verdict.problems).toEqual([]);
    expect(verdict.converged).toBe(true);
  });

  it('counts a second cluster of one name as a duplicate (and the state as different)', () => {
    const run = outcome();
    environments(run).dev?.clusters?.push({ cluster_id: 'c2', cluster_name: 'Small', state: 'TERMINATED' });
    const verdict = checkChaosRun(run, expectedState(outcome()));
    expect(verdict.duplicates).toEqual(['dev: cluster "Small" twice or more']);
    expect(verdict.converged).toBe(false);
    expect(verdict.problems).toContain('dev: cluster Small (c2) is not in the ledger');
  });

  it('counts a second policy or secret scope of one name, and a second run of a check job, as duplicates', () => {
    const run = outcome();
    const dev = environments(run).dev;
    dev?.policies?.push({ policy_id: 'P2', name: 'small-only', definition: '{}' });
    dev?.secretScopes?.push({ name: 'ETL', keys: {}, acls: {} });
    (dev as unknown as { runs: Record<string, unknown> }).runs.nightly = {
      count: 2,
      results: ['SUCCESS', 'SUCCESS'],
    };
    const verdict = checkChaosRun(run, expectedState(outcome()));
    expect(verdict.duplicates).toEqual([
      'dev: policy "small-only" twice or more',
      'dev: secret scope "etl" twice or more',
      'dev: job "nightly" ran 2 times',
    ]);
    expect(verdict.problems).toContain('dev: policy small-only (P2) is not in the ledger');
    expect(verdict.problems).toContain('dev: secret scope ETL is not in the ledger');
    expect(verdict.problems).toContain(
      "final state differs from the fault-free run's: dev policies; dev secretScopes; dev runs",
    );
    expect(verdict.converged).toBe(false);
  });

  it('finds a permission entry gone, and a policy, permissions list or secret the ledger names but the workspace lacks', () => {
    const entryGone = outcome();
    const permissions = (environments(entryGone).dev as unknown as { permissions: Record<string, object> })
      .permissions;
    permissions['jobs/nightly'] = { 'user_name:bricklane-emulator@example.com': 'IS_OWNER' };
    const verdict = checkChaosRun(entryGone, expectedState(outcome()));
    expect(verdict.problems[0]).toBe("final state differs from the fault-free run's: dev permissions");
    expect(verdict.converged).toBe(false);

    const gone = outcome();
    const dev = environments(gone).dev as unknown as {
      permissions: Record<string, object>;
      policies: { policy_id: string }[];
      secretScopes: { keys: Record<string, string> }[];
    };
    dev.permissions = {};
    (dev.policies[0] as { policy_id: string }).policy_id = 'P9';
    (dev.secretScopes[0] as { keys: Record<string, string> }).keys = {};
    expect(checkChaosRun(gone, expectedState(outcome())).problems).toEqual([
      "final state differs from the fault-free run's: dev clusters; dev permissions; dev secretScopes",
      'dev: ledger entry policies.small-only -> P1 is not in the workspace as recorded',
      'dev: ledger entry permissions.jobs.nightly -> jobs/7 is not in the workspace as recorded',
      'dev: ledger entry secrets.etl/db-password -> etl/db-password is not in the workspace as recorded',
      'dev: policy small-only (P9) is not in the ledger',
      'the release says succeeded, but the environments are not as deployed',
    ]);
  });

  it('compares policies by name: other policy ids in the policy, cluster spec and ledger converge', () => {
    const run = outcome();
    const dev = environments(run).dev as unknown as {
      policies: { policy_id: string }[];
      clusters: { spec: { policy_id: string } }[];
    };
    (dev.policies[0] as { policy_id: string }).policy_id = 'P2';
    (dev.clusters[0] as { spec: { policy_id: string } }).spec.policy_id = 'P2';
    (run.ledgers.dev?.entries ?? {})['policies.small-only'] = { hash: HASH, target: 'P2' };
    expect(checkChaosRun(run, expectedState(outcome())).problems).toEqual([]);
  });

  it('holds a run to the ending of the fault-free run, and counts check runs against its count', () => {
    // A release whose check failed and rolled back: the check ran three times, as in the fault-free run.
    const rolledBack = (runs: number): ChaosOutcome => {
      const run = outcome();
      run.status = {
        runtimeStatus: 'Completed',
        state: 'rolledBack',
        stages: [
          { environment: 'dev', state: 'rolledBack', message: 'check failed; rolled back to bundle b0' },
        ],
      };
      const dev = (run.state.environments as Record<string, { runs: unknown }>).dev;
      if (dev) dev.runs = { nightly: { count: runs, results: Array<string>(runs).fill('SUCCESS') } };
      return run;
    };
    const baseline = expectedState(rolledBack(3));
    expect(checkChaosRun(rolledBack(3), baseline, 'rolledBack')).toMatchObject({
      converged: true,
      problems: [],
    });
    expect(checkChaosRun(rolledBack(3), baseline).problems).toEqual([
      'the release ended rolledBack: dev: check failed; rolled back to bundle b0',
    ]);
    const extra = checkChaosRun(rolledBack(4), baseline, 'rolledBack');
    expect(extra.duplicates).toEqual(['dev: job "nightly" ran 4 times']);
    expect(extra.converged).toBe(false);
  });

  it('finds a claim still held, and a release still queued, but not a freed lock', () => {
    const run = outcome();
    run.claims['bricklane-releases/environments/qa/waiting.json'] = { releaseId: 'release-1' };
    run.claims['bricklane-releases/environments/prod/apply-lock.json'] = { next: { releaseId: 'release-1' } };
    const verdict = checkChaosRun(run, expectedState(outcome()));
    expect(verdict.stuckClaims).toHaveLength(2);
    expect(verdict.stuckClaims.join()).not.toContain('dev');
  });

  it('finds a ledger entry whose object is gone or holds other bytes', () => {
    const run = outcome();
    const entries = run.ledgers.dev?.entries ?? {};
    entries['jobs.nightly'] = { hash: HASH, target: '8' };
    entries['initScripts.init.sh'] = { hash: 'b'.repeat(64), target: '/Shared/p/init.sh' };
    const verdict = checkChaosRun(run, expectedState(outcome()));
    expect(verdict.problems).toEqual([
      'dev: ledger entry initScripts.init.sh -> /Shared/p/init.sh is not in the workspace as recorded',
      'dev: ledger entry jobs.nightly -> 8 is not in the workspace as recorded',
      'dev: job nightly (7) is not in the ledger',
      'the release says succeeded, but the environments are not as deployed',
    ]);
    expect(verdict.converged).toBe(false);
  });

  it('calls a success untrue when the workspace differs, and a failure that blames a deploy that never ran', () => {
    const run = outcome();
    environments(run).dev?.jobs?.splice(0, 1);
    expect(checkChaosRun(run, expectedState(outcome())).wrongMessage).toMatch(/says succeeded/);
    const failed = outcome();
    failed.status = {
      runtimeStatus: 'Completed',
      state: 'failed',
      message:
        'ledger: the ledger of environment "dev" was changed by another deploy while this one ran; re-run the deploy',
    };
    expect(checkChaosRun(failed, expectedState(outcome())).wrongMessage).toMatch(/did not happen/);
    failed.status = { runtimeStatus: 'Failed', state: 'failed' };
    expect(checkChaosRun(failed, expectedState(outcome())).wrongMessage).toMatch(/without saying why/);
  });

  it('scans every vault secret, whatever its name, but the ids a vault keeps', () => {
    const values: Record<string, string> = {
      'etl-db-password': 'sandbox-3f1c',
      'databricks-dev-ops-client-secret': 'c2VjcmV0LXZhbHVl',
      'databricks-dev-ops-tenant-id': '5a4d8c1e-0000-4000-8000-00000000b71c',
    };
    const vault = { secretNames: () => Object.keys(values), getSecret: (name: string) => values[name] };
    expect(vaultSecrets('qa', vault)).toEqual([
      { name: 'qa Key Vault etl-db-password', value: 'sandbox-3f1c' },
      { name: 'qa Key Vault databricks-dev-ops-client-secret', value: 'c2VjcmV0LXZhbHVl' },
    ]);
  });

  it('scans the audit trail: a secret there is a leak, and a scan without the trail is a problem', () => {
    const run = outcome();
    run.outputs.push({ source: AUDIT_LINE_SOURCE, text: '{"comment":"s3cr3t-value-123"}' });
    expect(checkChaosRun(run, expectedState(outcome())).leaks).toEqual([
      `dev Key Vault databricks-dev-ops-client-secret in ${AUDIT_LINE_SOURCE}`,
    ]);
    const unscanned = outcome();
    unscanned.outputs = unscanned.outputs.filter((o) => o.source !== AUDIT_LINE_SOURCE);
    expect(checkChaosRun(unscanned, expectedState(outcome())).problems).toEqual([
      'the secret scan saw no audit trail (bricklane-audit)',
    ]);
  });

  it('finds a secret value or an access token in any output', () => {
    const run = outcome();
    run.outputs.push({ source: 'status page', text: '<p>s3cr3t-value-123</p>' });
    run.outputs.push({
      source: 'sandbox-durable/sandbox/instances/x.json',
      text: '"Bearer eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJodHRwczovL21hbmFnZW1lbnQifQ.c2lnbmF0dXJlLXZhbHVl"',
    });
    expect(checkChaosRun(run, expectedState(outcome())).leaks).toEqual([
      'dev Key Vault databricks-dev-ops-client-secret in status page',
      'an access token in sandbox-durable/sandbox/instances/x.json',
    ]);
  });
});
