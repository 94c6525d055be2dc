// Test infrastructure: the chaos checks catch what they are for: a duplicate, a held claim, a ledger that
// disagrees with the workspace, an untrue message, a leaked secret or token. A clean outcome passes.
import { describe, expect, it } from 'vitest';
import { checkChaosRun, expectedState } from './checkChaosRun';
import type { ChaosOutcome } from './runChaosRelease';

const HASH = 'a'.repeat(64);

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
          clusters: [{ cluster_id: 'c1', cluster_name: 'Small', state: 'TERMINATED', spec: {} }],
          jobs: [{ job_id: 7, settings: { name: 'nightly' } }],
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
        },
      },
    },
    claims: { 'bricklane-releases/environments/dev/apply-lock.json': { newest: { releaseId: 'release-1' } } },
    outputs: [{ source: 'worker output', text: 'deployed dev' }],
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
