// Test infrastructure: issue 16's crash-and-resume cases, each against an uninterrupted run of the same releases
// on a fresh world. Workers killed while a release's smoke check starts (its run-now applied, the answer not
// back) and runs (inside the first look at the run): the next workers resume the release, which gets the same
// run (run-now's idempotency token) and starts no second one, and ends as the uninterrupted release. A worker killed during an automatic rollback's apply, twice (before its first wave wrote, then while
// the retried wave writes): the rollback resumes and the release ends rolled back, with the same workspaces.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NormalizedState } from '../sandbox/normalizeWorldState';
import type { LocalWorld } from '../sandbox/LocalWorld';
import { writeCheckBundle } from '../integration/checkBundle';
import { checkChaosRun, expectedState } from './checkChaosRun';
import { runChaosRelease, type ChaosPlan } from './runChaosRelease';

const SAMPLE = join(__dirname, '..', '..', 'artifacts');
const FAILURE = 'AssertionError: the orders table is empty';
const quiet = (): void => {};
/** The emulated workspace of an environment, by the name provisioning gives it (ArmResources.putWorkspace). */
const workspaceOf = (world: LocalWorld, env: string): string => world.names(env).workspace.toLowerCase();

describe('a worker killed while a smoke check starts and runs', () => {
  // Dev's run-now is answered 1.5 s late, and its first answer is lost after the run started (a reset after the
  // request applied): the kill 2.2 s into startChecks lands while the run exists and the activity waits for the
  // retry's answer. The resumed startChecks sends run-now again with the same idempotency token and gets the
  // same run. The run stays RUNNING for 8 s: the next worker is killed inside its first look at it.
  const prepare = (world: LocalWorld): void => {
    const dev = workspaceOf(world, 'dev');
    world.emulator.scriptRuns(dev, 'smoke_test', [{ result: 'SUCCESS', pendingInMs: 0, durationInMs: 8000 }]);
    world.emulator.faults({
      endpoints: ['2.2/jobs/run-now'],
      workspaces: [dev],
      latencyInMs: 1500,
      sequence: ['reset-after'],
    });
  };
  let clean: NormalizedState;

  beforeAll(async () => {
    const run = await runChaosRelease(SAMPLE, { workers: [], limitInMs: 120_000, prepare }, quiet);
    expect(run.status?.state, run.error).toBe('succeeded');
    clean = expectedState(run);
  }, 150_000);

  it('resumes on the next worker with the same run and ends as the uninterrupted release', async () => {
    const run = await runChaosRelease(
      SAMPLE,
      {
        workers: [{ crashPoint: 'activity:startChecks:1:2200' }, { crashPoint: 'activity:readChecks:1:0' }],
        limitInMs: 150_000,
        prepare,
      },
      quiet,
    );
    const story = run.story.join('\n');
    expect(story).toMatch(/^worker 1 killed itself at activity:startChecks:1:2200 /m);
    expect(story).toMatch(/^worker 2 killed itself at activity:readChecks:1:0 /m);
    expect(story).toMatch(/^worker 3 ready /m);
    expect(checkChaosRun(run, clean).problems).toEqual([]);
    // One run of the check in each environment, Dev's the scripted one that both kills interrupted.
    const environments = run.state.environments as Record<string, { runs: Record<string, unknown> }>;
    for (const env of ['dev', 'qa', 'prod'])
      expect(environments[env]?.runs, env).toEqual({ smoke_test: { count: 1, results: ['SUCCESS'] } });
  }, 200_000);
});

describe('a worker killed during an automatic rollback', () => {
  const dirs: string[] = [];
  let plan: Omit<ChaosPlan, 'workers' | 'limitInMs'>;
  let failing: string;
  let clean: NormalizedState;

  beforeAll(async () => {
    const earlier = writeCheckBundle({ smoke: 'assert True' });
    failing = writeCheckBundle({ smoke: 'assert 1 + 1 == 2' });
    dirs.push(earlier, failing);
    plan = {
      earlier,
      settings: { BRICKLANE_QA_ROLLBACK: 'auto' },
      // Release 2's run of QA's check fails; the rollback's run (release 1's bundle) passes.
      prepare: (world) =>
        world.emulator.scriptRuns(workspaceOf(world, 'qa'), 'smoke_test', [
          { result: 'FAILED', message: FAILURE, pendingInMs: 0, durationInMs: 0 },
          { result: 'SUCCESS', pendingInMs: 0, durationInMs: 0 },
        ]),
    };
    const run = await runChaosRelease(failing, { ...plan, workers: [], limitInMs: 150_000 }, quiet);
    expect(run.status?.state, run.error).toBe('rolledBack');
    expect(run.status?.stages?.map((s) => [s.environment, s.state])).toEqual([
      ['dev', 'succeeded'],
      ['qa', 'rolledBack'],
      ['prod', 'skipped'],
    ]);
    clean = expectedState(run);
  }, 200_000);
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('resumes the rollback and ends rolled back with the same workspaces', async () => {
    const run = await runChaosRelease(
      failing,
      {
        ...plan,
        workers: [
          { crashPoint: 'activity:applyWave@rollback:1:0' },
          { crashPoint: 'activity:applyWave@rollback:1:40' },
        ],
        limitInMs: 200_000,
      },
      quiet,
    );
    const story = run.story.join('\n');
    expect(story).toMatch(/^worker 1 killed itself at activity:applyWave@rollback:1:0 /m);
    expect(story).toMatch(/^worker 2 killed itself at activity:applyWave@rollback:1:40 /m);
    expect(story).toMatch(/^worker 3 ready /m);
    expect(checkChaosRun(run, clean, 'rolledBack').problems).toEqual([]);
    expect(run.status?.stages?.[1]?.message).toMatch(
      new RegExp(`^check smoke_test failed: ${FAILURE}; rolled back to bundle \\w+ of release \\S+$`),
    );
    // QA ran the check three times, as uninterrupted: release 1's, release 2's (failed), the rollback's.
    const qa = (run.state.environments as Record<string, { runs: Record<string, unknown> }>).qa;
    expect(qa?.runs).toEqual({ smoke_test: { count: 3, results: ['SUCCESS', 'FAILED', 'SUCCESS'] } });
  }, 250_000);
});
