// Orchestration tests: automatic rollback (BRICKLANE_<ENV>_ROLLBACK=auto, which inspectBundle answers as the
// environment's last known good) on the sandbox Functions host, with the real durable-functions replay and a
// replay-from-scratch check after every episode. A blocking check that fails puts the last known good bundle
// back: planned, applied (its own deployEnvironment instance) and checked, and the release ends rolled back.
// Without auto, or with no last known good, the stage fails as before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckRunState, EnvironmentChecks } from '../../src/activities/contracts';
import { FastForwardClock } from '../sandbox/host/FastForwardClock';
import type { FunctionHost } from '../sandbox/host/FunctionHost';
import { activityScript } from './fixtures/activityScript';
import {
  expectDeterministic,
  finished,
  fireTimers as fireTimersOf,
  releaseHost,
  releaseInput,
  stageOf,
  startRelease,
} from './fixtures/releaseHarness';

const ended = (resultState: 'SUCCESS' | 'FAILED'): CheckRunState[] => [
  {
    job: 'smoke_test',
    runId: 1000,
    lifeCycleState: 'TERMINATED',
    resultState,
    ended: true,
    ...(resultState === 'FAILED' ? { message: 'AssertionError: the orders table has 0 rows' } : {}),
  },
];
const PASSED = ended('SUCCESS');
const FAILED = ended('FAILED');
const CHECKS: EnvironmentChecks = {
  jobs: [{ job: 'smoke_test', timeoutMinutes: 20 }],
  block: true,
  pollInSeconds: 10,
};
const KNOWN_GOOD = { bundleId: 'sha256-release-1', releaseId: 'release-1' };

describe('automatic rollback, on the sandbox host', () => {
  const clock = new FastForwardClock();
  const sandbox = releaseHost(clock);
  let host: FunctionHost;
  beforeAll(async () => {
    await sandbox.start();
    host = sandbox.host;
  });
  afterAll(() => sandbox.stop());

  /** Fires the release's polling timers one by one as they are created, `count` of them, each when due. */
  const fireTimers = (id: string, count: number): Promise<void> => fireTimersOf(host, clock, id, count);

  it("redeploys QA's last known good when its check fails with auto, and the release ends rolled back", async () => {
    const id = 'r-rollback-auto';
    activityScript.set(id, {
      inspect: { checks: { dev: CHECKS, qa: CHECKS }, rollback: { qa: { knownGood: KNOWN_GOOD } } },
      // QA's first check (this bundle) fails; the second (the rolled-back bundle) passes.
      readChecks: { dev: [PASSED], qa: [FAILED, PASSED] },
      // Prune is off: the plans name what the bundle lacks and the ledger has (the failed bundle's new notebook).
      plan: { kept: ['notebooks./etl/new'] },
    });
    await startRelease(host, releaseInput(id, ['dev', 'qa', 'prod']));
    await fireTimers(id, 3);
    const output = await finished(host, id);

    expect(output.state).toBe('rolledBack');
    expect(output.message).toBe('qa rolled back to bundle sha256-release-1 of release release-1');
    expect(output.stages.map((s) => [s.environment, s.state])).toEqual([
      ['dev', 'succeeded'],
      ['qa', 'rolledBack'],
      ['prod', 'skipped'],
    ]);
    expect(stageOf(output, 'qa')?.message).toBe(
      'check smoke_test failed: AssertionError: the orders table has 0 rows; rolled back to bundle sha256-release-1 of release release-1; left in place (prune is off): notebooks./etl/new',
    );
    expect(stageOf(output, 'qa')?.checks?.[0]?.state).toBe('succeeded');
    const calls = activityScript.calls(id);
    const bundleOf = (key: string): (string | undefined)[] =>
      calls.filter((c) => c.key === key).map((c) => c.input.bundleId);
    // Inspected, planned, applied and checked with the last known good bundle, after this one.
    expect(bundleOf('inspectBundle')).toEqual([`sha256-${id}`, KNOWN_GOOD.bundleId]);
    expect(bundleOf('planEnvironment:qa')).toEqual([`sha256-${id}`, KNOWN_GOOD.bundleId]);
    expect(bundleOf('startChecks:qa')).toEqual([`sha256-${id}`, KNOWN_GOOD.bundleId]);
    expect(new Set(bundleOf('applyWave:qa:jobs'))).toEqual(new Set([`sha256-${id}`, KNOWN_GOOD.bundleId]));
    expect(host.durable.history(`${id}:qa:rollback`).length).toBeGreaterThan(0);
    // QA's lock was held from the failed apply through its checks and the whole rollback (claimed once, given back
    // once, after the rollback's checks); neither bundle is recorded as a new known good.
    const keys = calls.map((c) => c.key);
    expect(keys.filter((k) => k === 'claimEnvironment:qa:applying')).toHaveLength(1);
    expect(keys.filter((k) => k === 'releaseEnvironment:qa:applying')).toHaveLength(1);
    expect(keys.indexOf('releaseEnvironment:qa:applying')).toBeGreaterThan(keys.lastIndexOf('readChecks:qa'));
    expect(calls.find((c) => c.key === 'releaseEnvironment:qa:applying')?.input).not.toHaveProperty(
      'knownGood',
    );
    expect(keys).toContain('notify:qa:rolledBack');
    expect(keys).not.toContain('notify:qa:failed');
    expect(keys.filter((k) => k.endsWith(':prod'))).toEqual([]);
    expectDeterministic(host);
  });

  it('rolls back after a failed apply too', async () => {
    const id = 'r-rollback-apply';
    activityScript.set(id, {
      inspect: { rollback: { dev: { knownGood: KNOWN_GOOD } } },
      waves: {
        'dev:jobs': {
          done: 0,
          failed: 1,
          failures: [{ key: 'jobs.etl', message: 'INVALID_PARAMETER_VALUE' }],
        },
      },
    });
    await startRelease(host, releaseInput(id, ['dev']));
    const output = await finished(host, id);
    // The scripted wave fails in the rollback as well: the stage says both.
    expect(output.state).toBe('failed');
    expect(stageOf(output, 'dev')?.message).toBe(
      'jobs.etl: INVALID_PARAMETER_VALUE; the rollback failed too: jobs.etl: INVALID_PARAMETER_VALUE',
    );
    expect(
      activityScript
        .calls(id)
        .filter((c) => c.key === 'planEnvironment:dev')
        .map((c) => c.input.bundleId),
    ).toEqual([`sha256-${id}`, KNOWN_GOOD.bundleId]);
    expectDeterministic(host);
  });

  it('does not roll back with manual (no rollback entry): the stage fails as before', async () => {
    const id = 'r-rollback-manual';
    activityScript.set(id, {
      inspect: { checks: { qa: CHECKS } },
      readChecks: { qa: [FAILED] },
    });
    await startRelease(host, releaseInput(id, ['qa']));
    await fireTimers(id, 1);
    const output = await finished(host, id);
    expect(output.state).toBe('failed');
    expect(stageOf(output, 'qa')?.state).toBe('failed');
    const calls = activityScript.calls(id);
    expect(calls.filter((c) => c.key === 'planEnvironment:qa')).toHaveLength(1);
    expect(calls.filter((c) => c.key === 'inspectBundle')).toHaveLength(1);
    expect(calls.map((c) => c.key)).toContain('notify:qa:failed');
    expectDeterministic(host);
  });

  it('fails the stage, saying there was nothing to roll back to, when QA has no last known good', async () => {
    const id = 'r-rollback-none';
    activityScript.set(id, {
      inspect: { checks: { qa: CHECKS }, rollback: { qa: {} } },
      readChecks: { qa: [FAILED] },
    });
    await startRelease(host, releaseInput(id, ['qa']));
    await fireTimers(id, 1);
    const output = await finished(host, id);
    expect(output.state).toBe('failed');
    expect(output.message).toBe('qa failed, with nothing to roll back to');
    expect(stageOf(output, 'qa')?.message).toBe(
      'check smoke_test failed: AssertionError: the orders table has 0 rows; nothing to roll back to: no earlier bundle passed in qa',
    );
    expect(activityScript.calls(id).filter((c) => c.key === 'planEnvironment:qa')).toHaveLength(1);
    expectDeterministic(host);
  });
});
