// Orchestration tests: the manual rollback (functions/rollbackLink.ts starts it; release/rollbackInputFor.ts makes
// its input) on the sandbox Functions host, with the real durable-functions replay and a replay-from-scratch check
// after every episode. The release puts the environment's last known good back at once, through rollBack: no
// approval, the apply lock taken as the failed release (its start), planned, applied and checked with the known
// good bundle; it ends rolled back. A newer release that holds the environment supersedes it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckRunState, EnvironmentChecks } from '../../src/activities/contracts';
import { rollbackInputFor } from '../../src/release/rollbackInputFor';
import { FastForwardClock } from '../sandbox/host/FastForwardClock';
import { activityScript } from './fixtures/activityScript';
import {
  expectDeterministic,
  finished,
  fireTimers,
  releaseHost,
  stageOf,
  startRelease,
} from './fixtures/releaseHarness';

const PASSED: CheckRunState[] = [
  { job: 'smoke_test', runId: 1000, lifeCycleState: 'TERMINATED', resultState: 'SUCCESS', ended: true },
];
const CHECKS: EnvironmentChecks = {
  jobs: [{ job: 'smoke_test', timeoutMinutes: 20 }],
  block: true,
  pollInSeconds: 10,
};
const KNOWN_GOOD = { bundleId: 'sha256-release-1', releaseId: 'release-1' };
const FAILED_START = '2026-01-01T00:00:00.000Z';

const rollbackOf = (failed: string) =>
  rollbackInputFor({
    failed: { releaseId: failed, startedAt: FAILED_START },
    environment: 'qa',
    knownGood: KNOWN_GOOD,
    requestedBy: 'ops@contoso.example',
  });

describe('manual rollback, on the sandbox host', () => {
  const clock = new FastForwardClock();
  const sandbox = releaseHost(clock);
  beforeAll(() => sandbox.start());
  afterAll(() => sandbox.stop());

  it("puts QA's last known good back with no approval, ordered as the failed release, and ends rolled back", async () => {
    const host = sandbox.host;
    const input = rollbackOf('r-failed');
    const id = input.releaseId;
    activityScript.set(id, {
      inspect: { checks: { qa: CHECKS } },
      readChecks: { qa: [PASSED] },
      plan: { kept: ['notebooks./etl/new'] },
    });
    await startRelease(host, input);
    await fireTimers(host, clock, id, 1);
    const output = await finished(host, id);

    expect(output.state).toBe('rolledBack');
    expect(output.message).toBe('qa rolled back to bundle sha256-release-1 of release release-1');
    expect(output.stages.map((s) => [s.environment, s.state])).toEqual([['qa', 'rolledBack']]);
    expect(stageOf(output, 'qa')?.message).toBe(
      'release r-failed failed in qa; rollback confirmed by ops@contoso.example; rolled back to bundle ' +
        'sha256-release-1 of release release-1; left in place (prune is off): notebooks./etl/new',
    );
    expect(stageOf(output, 'qa')?.approval).toBeUndefined();
    const calls = activityScript.calls(id);
    const keys = calls.map((c) => c.key);
    // The lock, as the failed release: a release started after that one stays newer than the rollback.
    const claims = calls.filter((c) => c.key === 'claimEnvironment:qa:applying');
    expect(claims.map((c) => (c.input as { startedAt?: string }).startedAt)).toEqual([FAILED_START]);
    expect(keys).not.toContain('claimEnvironment:qa:waiting');
    expect(keys.filter((k) => k === 'releaseEnvironment:qa:applying')).toHaveLength(1);
    // Everything with the known good bundle: inspected (as the release's bundle, then by rollBack), planned,
    // applied in the rollback's own instance, checked.
    const bundleOf = (key: string): (string | undefined)[] =>
      calls.filter((c) => c.key === key).map((c) => c.input.bundleId);
    expect(bundleOf('inspectBundle')).toEqual([KNOWN_GOOD.bundleId, KNOWN_GOOD.bundleId]);
    expect(bundleOf('planEnvironment:qa')).toEqual([KNOWN_GOOD.bundleId]);
    expect(bundleOf('startChecks:qa')).toEqual([KNOWN_GOOD.bundleId]);
    expect(host.durable.history(`${id}:qa:rollback`).length).toBeGreaterThan(0);
    expect(keys).toContain('notify:qa:rolledBack');
    // The lock goes back after the rollback's checks, recording no new known good.
    expect(keys.indexOf('releaseEnvironment:qa:applying')).toBeGreaterThan(keys.lastIndexOf('readChecks:qa'));
    expect(calls.find((c) => c.key === 'releaseEnvironment:qa:applying')?.input).not.toHaveProperty(
      'knownGood',
    );
    expectDeterministic(host);
  });

  it('stops, superseded, when a newer release holds the environment', async () => {
    const host = sandbox.host;
    const input = rollbackOf('r-failed-2');
    const id = input.releaseId;
    activityScript.set(id, {
      claims: { 'qa:applying': [{ granted: false, superseded: true, other: 'release-newer' }] },
    });
    await startRelease(host, input);
    const output = await finished(host, id);
    expect(output.state).toBe('superseded');
    expect(stageOf(output, 'qa')?.message).toBe('superseded by release release-newer, which deploys to qa');
    const keys = activityScript.calls(id).map((c) => c.key);
    expect(keys).not.toContain('planEnvironment:qa');
    expect(keys.filter((k) => k.startsWith('applyWave'))).toEqual([]);
    expectDeterministic(host);
  });
});
