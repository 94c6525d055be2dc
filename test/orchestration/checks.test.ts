// Orchestration tests: a stage's checks (bricklane.json `checks`) on the sandbox Functions host, with the real
// durable-functions replay and a replay-from-scratch check after every episode. Scripted activities: startChecks
// answers run ids, readChecks answers the runs' states in turn. A check that passes lets the release go on; one
// that fails or times out fails its stage with the run's message and nothing after it starts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckRunState, EnvironmentChecks } from '../../src/activities/contracts';
import { FastForwardClock } from '../sandbox/host/FastForwardClock';
import type { FunctionHost } from '../sandbox/host/FunctionHost';
import { activityScript } from './fixtures/activityScript';
import {
  customStatusOf,
  expectDeterministic,
  finished,
  fireTimers as fireTimersOf,
  from,
  releaseHost,
  releaseInput,
  schedule,
  stageOf,
  startRelease,
  timersCreated,
  until,
} from './fixtures/releaseHarness';

const URL = 'https://adb-1.azuredatabricks.net/?o=1#job/7/run/1000';
const run = (state: Partial<CheckRunState>): CheckRunState => ({
  job: 'smoke_test',
  runId: 1000,
  lifeCycleState: 'RUNNING',
  ended: false,
  url: URL,
  startTime: Date.parse('2026-12-05T10:00:00Z'),
  ...state,
});
const RUNNING = [run({})];
const PASSED = [
  run({
    lifeCycleState: 'TERMINATED',
    resultState: 'SUCCESS',
    ended: true,
    endTime: Date.parse('2026-12-05T10:01:30Z'),
  }),
];
const FAILED = [
  run({
    lifeCycleState: 'TERMINATED',
    resultState: 'FAILED',
    ended: true,
    message: 'AssertionError: the orders table has 0 rows',
    endTime: Date.parse('2026-12-05T10:00:40Z'),
  }),
];
const checksFor = (timeoutMinutes = 20, block = true): EnvironmentChecks => ({
  jobs: [{ job: 'smoke_test', timeoutMinutes }],
  block,
  pollInSeconds: 10,
});

describe('a stage with checks, on the sandbox host', () => {
  const clock = new FastForwardClock();
  const sandbox = releaseHost(clock);
  let host: FunctionHost;
  beforeAll(async () => {
    await sandbox.start();
    host = sandbox.host;
  });
  afterAll(() => sandbox.stop());

  const history = (id: string): ReturnType<FunctionHost['durable']['history']> => host.durable.history(id);
  /** Fires the release's polling timers one by one as they are created, `count` of them, each when due. */
  const fireTimers = (id: string, count: number): Promise<void> => fireTimersOf(host, clock, id, count);

  it('starts the checks after the apply, polls on growing timers until they pass, then goes on', async () => {
    const id = 'r-checks-pass';
    activityScript.set(id, {
      inspect: { checks: { dev: checksFor(), qa: checksFor() } },
      readChecks: { dev: [RUNNING, PASSED], qa: [PASSED] },
    });
    await startRelease(host, releaseInput(id, ['dev', 'qa']));
    await until(() => timersCreated(history(id)).length >= 1);
    // While the run runs, the stage says so, and so does the run.
    await until(() => stageOf(customStatusOf(host, id), 'dev')?.state === 'checking');
    expect(stageOf(customStatusOf(host, id), 'dev')?.checks).toEqual([
      { job: 'smoke_test', runId: 1000, state: 'pending' },
    ]);
    await fireTimers(id, 3);
    const output = await finished(host, id);

    expect(output.state).toBe('succeeded');
    const dev = stageOf(output, 'dev');
    expect(dev?.state).toBe('succeeded');
    expect(dev?.checks).toEqual([
      {
        job: 'smoke_test',
        runId: 1000,
        state: 'succeeded',
        url: URL,
        startedAt: '2026-12-05T10:00:00.000Z',
        finishedAt: '2026-12-05T10:01:30.000Z',
      },
    ]);
    expect(dev?.phases?.checks?.finishedAt).toBeDefined();
    expect(from(schedule(history(id)), 'startChecks:dev').slice(0, 9)).toEqual([
      'TaskScheduled#4 startChecks:dev',
      'TimerCreated#5',
      'TimerFired->5',
      'TaskScheduled#6 readChecks:dev',
      'TimerCreated#7',
      'TimerFired->7',
      'TaskScheduled#8 readChecks:dev',
      // Passed: the lock, held through the checks, goes back recording the bundle as dev's last known good; then the
      // channel hears of it and qa starts.
      'TaskScheduled#9 releaseEnvironment:dev:applying',
      'TaskScheduled#10 notify:dev:succeeded',
    ]);
    // Each wait is longer than the one before: 10 s, then 15 s.
    const waits = timersCreated(history(id))
      .slice(0, 2)
      .map((t) => Date.parse(t.FireAt ?? '') - Date.parse(t.Timestamp ?? ''));
    expect(waits).toEqual([10_000, 15_000]);
    // The lock was held through the checks (no other release writes while they run) and given back once, after
    // them, with the known good.
    const released = activityScript.calls(id).filter((c) => c.key === 'releaseEnvironment:dev:applying');
    expect(released).toHaveLength(1);
    expect(released[0]?.input).toMatchObject({ knownGood: { bundleId: `sha256-${id}` } });
    const started = activityScript.calls(id).find((c) => c.key === 'startChecks:dev');
    expect(started?.input).toMatchObject({ jobs: ['smoke_test'], startedAt: output.startedAt });
    expect(stageOf(output, 'qa')?.state).toBe('succeeded');
    expectDeterministic(host);
  });

  it("fails QA with the run's error when its check fails, and never starts Prod", async () => {
    const id = 'r-checks-fail';
    activityScript.set(id, {
      inspect: { checks: { dev: checksFor(), qa: checksFor(), prod: checksFor() } },
      readChecks: { dev: [PASSED], qa: [RUNNING, FAILED] },
    });
    await startRelease(host, releaseInput(id, ['dev', 'qa', 'prod']));
    await fireTimers(id, 3);
    const output = await finished(host, id);

    expect(output.state).toBe('failed');
    expect(output.stages.map((s) => [s.environment, s.state])).toEqual([
      ['dev', 'succeeded'],
      ['qa', 'failed'],
      ['prod', 'skipped'],
    ]);
    const qa = stageOf(output, 'qa');
    expect(qa?.message).toBe('check smoke_test failed: AssertionError: the orders table has 0 rows');
    expect(qa?.checks?.[0]).toMatchObject({
      state: 'failed',
      message: 'AssertionError: the orders table has 0 rows',
    });
    expect(output.message).toBe(
      'qa failed its checks: check smoke_test failed: AssertionError: the orders table has 0 rows',
    );
    const keys = activityScript.calls(id).map((c) => c.key);
    const lockGivenBack = (env: string): unknown =>
      activityScript.calls(id).find((c) => c.key === `releaseEnvironment:${env}:applying`)?.input;
    expect(lockGivenBack('dev')).toMatchObject({ knownGood: { bundleId: `sha256-${id}` } });
    expect(lockGivenBack('qa')).not.toHaveProperty('knownGood');
    expect(keys.indexOf('releaseEnvironment:qa:applying')).toBeGreaterThan(keys.lastIndexOf('readChecks:qa'));
    expect(keys).toContain('notify:qa:failed');
    expect(keys.filter((k) => k.endsWith(':prod'))).toEqual([]);
    expectDeterministic(host);
  });

  it('cancels a run past its timeout and fails the stage as timed out', async () => {
    const id = 'r-checks-timeout';
    activityScript.set(id, {
      inspect: { checks: { dev: checksFor(1) } },
      readChecks: { dev: [RUNNING] },
    });
    await startRelease(host, releaseInput(id, ['dev']));
    // 10 s, 15 s, 20 s, then the rest of the minute: the fourth look cancels the run.
    await fireTimers(id, 4);
    const output = await finished(host, id);

    expect(output.state).toBe('failed');
    const dev = stageOf(output, 'dev');
    expect(dev?.state).toBe('failed');
    expect(dev?.checks?.[0]?.state).toBe('timedout');
    expect(dev?.message).toBe(
      'check smoke_test timed out: did not finish within 1 min; the run was cancelled',
    );
    const reads = activityScript.calls(id).filter((c) => c.key === 'readChecks:dev');
    expect(reads.map((c) => (c.input as { cancel?: number[] }).cancel)).toEqual([
      undefined,
      undefined,
      undefined,
      [1000],
    ]);
    const timers = timersCreated(history(id));
    const last = timers[timers.length - 1];
    // The last wait ends at the timeout, not a full poll later.
    expect(Date.parse(last?.FireAt ?? '')).toBe(Date.parse(timers[0]?.Timestamp ?? '') + 60_000);
    expect(
      activityScript.calls(id).find((c) => c.key === 'releaseEnvironment:dev:applying')?.input,
    ).not.toHaveProperty('knownGood');
    expectDeterministic(host);
  });

  it('reports a failed check that does not block promotion and goes on, recording no known good', async () => {
    const id = 'r-checks-advisory';
    activityScript.set(id, {
      inspect: { checks: { dev: checksFor(20, false) } },
      readChecks: { dev: [FAILED] },
    });
    await startRelease(host, releaseInput(id, ['dev', 'qa']));
    await fireTimers(id, 1);
    const output = await finished(host, id);

    expect(output.state).toBe('succeeded');
    expect(stageOf(output, 'dev')?.state).toBe('succeeded');
    expect(stageOf(output, 'dev')?.notices).toEqual([
      'not blocking: check smoke_test failed: AssertionError: the orders table has 0 rows',
    ]);
    expect(
      activityScript.calls(id).find((c) => c.key === 'releaseEnvironment:dev:applying')?.input,
    ).not.toHaveProperty('knownGood');
    // QA has no checks: its lock release records its known good.
    const qaRelease = activityScript.calls(id).find((c) => c.key === 'releaseEnvironment:qa:applying');
    expect(qaRelease?.input).toMatchObject({ knownGood: { bundleId: `sha256-${id}` } });
    expectDeterministic(host);
  });
});
