// Test infrastructure: issue 16's crash-and-resume case for a ring, against an uninterrupted run of the same
// release on a fresh world. Prod is a ring of three (BRICKLANE_PROD_TARGETS=weu,neu,eus; the two after the canary
// in parallel). One worker is killed inside the canary's first look at its running smoke check; the next while the
// two other targets apply, during the ledger write of the first of them to record the cluster policy its policies
// wave just created (the write never lands; the other target's sub-orchestration is in the same wave). The next
// workers resume every target's sub-orchestration: the resumed waves find the policies the killed worker made
// (Databricks refuses a second policy of one name), and each target ends with the uninterrupted run's workspace,
// ledger, one check run and its apply lock given back; the release succeeds.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { lockBlob, RELEASES_CONTAINER } from '../../src/azure/ReleaseStorage';
import type { AppliedWrite } from '../emulator/DatabricksEmulator';
import type { NormalizedState } from '../sandbox/normalizeWorldState';
import type { LocalWorld } from '../sandbox/LocalWorld';
import { checkChaosRun, expectedState } from './checkChaosRun';
import { LEDGER_CONTAINER, runChaosRelease, type ChaosPlan } from './runChaosRelease';

const SAMPLE = join(__dirname, '..', '..', 'artifacts');
const TARGETS = ['prod.weu', 'prod.neu', 'prod.eus'] as const;
const quiet = (): void => {};
/** The emulated workspace of an environment or target, by the name provisioning gives it (ArmResources.putWorkspace). */
const workspaceOf = (world: LocalWorld, key: string): string => world.names(key).workspace.toLowerCase();

/** When each target's workspace was written (the emulator's log), by target key. */
type Writes = Record<string, number[]>;

/**
 * The ring's plan. The canary's smoke run stays RUNNING for 5 s (the first look at it comes after 1 s, inside the
 * run). Each Databricks request takes 20 ms, as over a network: a target's apply is a span of time, and the two
 * parallel applies overlap.
 */
function ringPlan(writes: Writes): Omit<ChaosPlan, 'workers' | 'limitInMs'> {
  return {
    targets: { prod: ['weu', 'neu', 'eus'] },
    prepare: (world) => {
      world.emulator.setLatency(20);
      world.emulator.scriptRuns(workspaceOf(world, 'prod.weu'), 'smoke_test', [
        { result: 'SUCCESS', pendingInMs: 0, durationInMs: 5000 },
      ]);
      const keys = new Map(TARGETS.map((key) => [workspaceOf(world, key), key]));
      world.emulator.onWrite((write: AppliedWrite) => {
        const key = keys.get(write.workspace.toLowerCase());
        if (key) (writes[key] ??= []).push(write.at);
      });
    },
  };
}

/** The longest time between two consecutive writes of one workspace (from the last before to the first after). */
function longestPause(times: number[] = []): { from: number; to: number } {
  let pause = { from: 0, to: 0 };
  for (let i = 1; i < times.length; i += 1) {
    const [from = 0, to = 0] = [times[i - 1], times[i]];
    if (to - from > pause.to - pause.from) pause = { from, to };
  }
  return pause;
}

describe('a worker killed during a ring: the canary checking, then two targets applying in parallel', () => {
  let clean: NormalizedState;
  const cleanWrites: Writes = {};

  beforeAll(async () => {
    const run = await runChaosRelease(
      SAMPLE,
      { ...ringPlan(cleanWrites), workers: [], limitInMs: 75_000 },
      quiet,
    );
    expect(run.status?.state, run.error).toBe('succeeded');
    clean = expectedState(run);
  }, 100_000);

  it('resumes every target and ends as the uninterrupted release', async () => {
    const writes: Writes = {};
    const run = await runChaosRelease(
      SAMPLE,
      {
        ...ringPlan(writes),
        workers: [
          { crashPoint: 'activity:readChecks@prod.weu:1:0' },
          // The second ledger write of worker 2 that names a policy: its first is the canary's known good (recorded
          // in the canary's ledger when its lock goes back, after its checks).
          {
            duringWrite: {
              container: LEDGER_CONTAINER,
              at: 2,
              when: 'before-applied',
              bodyIncludes: '"policies.',
            },
          },
        ],
        limitInMs: 90_000,
      },
      quiet,
    );
    const story = run.story.join('\n');
    expect(story).toMatch(/^worker 1 killed itself at activity:readChecks@prod\.weu:1:0 /m);
    expect(story).toMatch(/^worker 2 killed during bricklane-ledger write 2 with "policies\. /m);
    expect(story).toMatch(/^bricklane-ledger write \d+ never reached storage \(the worker died first\)$/m);
    expect(story).toMatch(/^worker 3 ready /m);
    // Same workspaces per target, no duplicate, ledgers that describe them, no lock held, succeeded.
    expect(checkChaosRun(run, clean).problems).toEqual([]);
    expect(run.status?.stages?.find((s) => s.environment === 'prod')?.state).toBe('succeeded');
    const environments = run.state.environments as Record<string, { runs: Record<string, unknown> }>;
    for (const key of TARGETS) {
      // One run of the check per target: the canary's, which the first kill interrupted, was not started again.
      expect(environments[key]?.runs, key).toEqual({ smoke_test: { count: 1, results: ['SUCCESS'] } });
      // Each target's apply lock was taken (its record is there) and given back: it keeps only who was newest.
      expect(run.claims[`${RELEASES_CONTAINER}/${lockBlob(key)}`], key).toEqual({
        newest: expect.objectContaining({ releaseId: run.releaseId }),
      });
    }
    // The two targets after the canary applied at the same time (their write spans overlap), in both runs.
    for (const log of [cleanWrites, writes]) {
      const [neu, eus] = [log['prod.neu'] ?? [], log['prod.eus'] ?? []];
      expect(neu.length && eus.length, 'both wrote').toBeGreaterThan(0);
      expect(Math.min(...neu)).toBeLessThan(Math.max(...eus));
      expect(Math.min(...eus)).toBeLessThan(Math.max(...neu));
    }
    // The second kill cut both applies: each target wrote before it and again after the next worker was up, and
    // the restart is a pause of over a second in both write logs, at the same time.
    const [neuPause, eusPause] = [longestPause(writes['prod.neu']), longestPause(writes['prod.eus'])];
    expect(eusPause.to - eusPause.from, 'prod.eus paused by the kill').toBeGreaterThan(1000);
    expect(neuPause.to - neuPause.from, 'prod.neu paused by the kill').toBeGreaterThan(1000);
    expect(neuPause.from).toBeLessThan(eusPause.to);
    expect(eusPause.from).toBeLessThan(neuPause.to);
  }, 120_000);
});
