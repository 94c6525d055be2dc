// Orchestration tests: an environment's deploy policies (change window, wait timer, external checks) on the
// sandbox Functions host, with the real durable-functions replay and a replay-from-scratch check after every
// episode. The host's clock is pushed forward instead of waiting: each policy waits on a durable timer whose
// time comes from the orchestration's clock, and the stage shows what holds it (state `holding`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallExternalCheckResult } from '../../src/activities/contracts';
import { parseChangeWindows } from '../../src/config/parseChangeWindows';
import { approvalEventName } from '../../src/release/ApprovalEvent';
import type { ReleaseInput } from '../../src/release/ReleaseInput';
import type { ReleasePolicies } from '../../src/release/ReleasePolicies';
import { FastForwardClock } from '../sandbox/host/FastForwardClock';
import type { FunctionHost } from '../sandbox/host/FunctionHost';
import { activityScript } from './fixtures/activityScript';
import {
  clientFor,
  customStatusOf,
  expectDeterministic,
  finished,
  fireTimers,
  from,
  releaseHost,
  releaseInput,
  schedule,
  stageOf,
  startRelease,
  timersCreated,
  until,
  waitingAt,
} from './fixtures/releaseHarness';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const hhmm = (ms: number): string => new Date(ms).toISOString().slice(11, 16);
/** A daily UTC window of `length` minutes that opens `inMinutes` from `now` (rounded to the next minute). */
function windowFrom(
  now: number,
  inMinutes: number,
  length: number,
): { policies: ReleasePolicies; opensAt: number } {
  const opensAt = Math.ceil((now + inMinutes * MINUTE) / MINUTE) * MINUTE;
  const parsed = parseChangeWindows(`daily ${hhmm(opensAt)}-${hhmm(opensAt + length * MINUTE)} UTC`, 'TEST');
  expect(parsed.problems).toEqual([]);
  return { policies: { changeWindows: parsed.windows }, opensAt };
}
const withPolicies = (input: ReleaseInput, policies: Record<string, ReleasePolicies>): ReleaseInput => ({
  ...input,
  policies,
});
const CHECKS = { names: ['gate.contoso.com/api/change'], intervalInMinutes: 5, timeoutInMinutes: 15 };
const FAIL: CallExternalCheckResult = { outcome: 'fail', message: 'CHG0042 is not approved yet' };
const PASS: CallExternalCheckResult = { outcome: 'pass', message: 'CHG0042 approved' };

describe('deploy policies on the sandbox host', () => {
  const clock = new FastForwardClock();
  const sandbox = releaseHost(clock);
  let host: FunctionHost;
  beforeAll(async () => {
    await sandbox.start();
    host = sandbox.host;
  });
  afterAll(() => sandbox.stop());
  const history = (id: string): ReturnType<FunctionHost['durable']['history']> => host.durable.history(id);
  /** Fires the release's `n`th timer (1-based) once it exists; the earlier ones are not touched. */
  const fireTimer = async (id: string, n: number): Promise<void> => {
    await until(() => timersCreated(history(id)).length >= n);
    const due = Date.parse(timersCreated(history(id))[n - 1]?.FireAt ?? '');
    clock.advance(Math.max(0, due - clock.now()) + 1);
  };

  it('holds a stage outside its change window on a durable timer until the window opens, then plans and applies', async () => {
    const id = 'r-window';
    const { policies, opensAt } = windowFrom(clock.now(), 180, 60);
    activityScript.set(id, {});
    await startRelease(host, withPolicies(releaseInput(id, ['dev']), { dev: policies }));
    await until(() => stageOf(customStatusOf(host, id), 'dev')?.state === 'holding');
    await until(() => timersCreated(history(id)).length >= 1);
    const held = stageOf(customStatusOf(host, id), 'dev');
    expect(held?.policies?.window).toEqual({
      text: policies.changeWindows?.[0]?.text,
      open: false,
      opensAt: new Date(opensAt).toISOString(),
    });
    // Nothing was planned or claimed while the window is closed; the one timer is for the opening.
    expect(schedule(history(id)).filter((l) => /planEnvironment|claimEnvironment/.test(l))).toEqual([]);
    expect(timersCreated(history(id)).map((t) => t.FireAt)).toEqual([new Date(opensAt).toISOString()]);

    await fireTimers(host, clock, id, 1);
    const output = await finished(host, id);
    expect(output.state).toBe('succeeded');
    const dev = stageOf(output, 'dev');
    expect(dev?.policies?.window?.open).toBe(true);
    expect(dev?.policies?.window?.closesAt).toBe(new Date(opensAt + 60 * MINUTE).toISOString());
    expect(Date.parse(dev?.phases?.apply?.startedAt ?? '')).toBeGreaterThanOrEqual(opensAt);
    expect(from(schedule(history(id)), 'TimerCreated').slice(0, 4)).toEqual([
      'TimerCreated#1',
      'TimerFired->1',
      'TaskScheduled#2 claimEnvironment:dev:applying',
      'TaskScheduled#3 planEnvironment:dev',
    ]);
    expectDeterministic(host);
  });

  it('a gated stage soaks after the previous one, is approved, then asks its external check until it passes', async () => {
    const id = 'r-soak-checks';
    activityScript.set(id, { externalChecks: { [`qa:${CHECKS.names[0]}`]: [FAIL, FAIL, PASS] } });
    const input = releaseInput(id, ['dev', 'qa'], { qa: { required: true, timeoutInHours: 24 } });
    await startRelease(host, withPolicies(input, { qa: { waitMinutes: 30, externalChecks: CHECKS } }));

    // The soak: qa holds for 30 minutes after dev succeeded, before it plans or asks anyone.
    await until(() => stageOf(customStatusOf(host, id), 'qa')?.state === 'holding');
    const soaking = customStatusOf(host, id);
    const devDone = Date.parse(stageOf(soaking, 'dev')?.finishedAt ?? '');
    expect(stageOf(soaking, 'qa')?.policies).toEqual({
      wait: { minutes: 30, until: new Date(devDone + 30 * MINUTE).toISOString(), passed: false },
      externalChecks: { checks: [{ name: CHECKS.names[0], state: 'pending', attempts: 0 }] },
    });
    await fireTimers(host, clock, id, 1);
    await waitingAt(host, id, 'qa');
    expect(activityScript.calls(id).filter((c) => c.name === 'callExternalCheck')).toEqual([]);
    await clientFor(host).raiseEvent(id, approvalEventName('qa'), {
      decision: 'approve',
      approver: 'alice',
      decidedAt: new Date(clock.now()).toISOString(),
    });

    // Approved: the check answers fail, and the stage shows its words and when it is asked again.
    await until(
      () => stageOf(customStatusOf(host, id), 'qa')?.policies?.externalChecks?.checks[0]?.attempts === 1,
    );
    await until(() => stageOf(customStatusOf(host, id), 'qa')?.state === 'holding');
    const failing = stageOf(customStatusOf(host, id), 'qa')?.policies?.externalChecks;
    expect(failing?.checks[0]).toMatchObject({ state: 'failing', message: FAIL.message, attempts: 1 });
    expect(failing?.nextAt).toBeDefined();
    // Two more timers: the soak's was the first, the approval's the second (cancelled when approved).
    await fireTimer(id, 3);
    await fireTimer(id, 4);
    const output = await finished(host, id);
    expect(output.state).toBe('succeeded');
    const qa = stageOf(output, 'qa');
    expect(qa?.policies?.wait?.passed).toBe(true);
    expect(qa?.policies?.externalChecks?.checks).toEqual([
      expect.objectContaining({ state: 'passed', message: PASS.message, attempts: 3 }),
    ]);
    // The check got the release, the plan counts and its attempt; the apply came after its pass.
    const calls = activityScript.calls(id).filter((c) => c.name === 'callExternalCheck');
    expect(calls.map((c) => [c.input.attempt, c.input.check, c.input.name])).toEqual([
      [1, 0, CHECKS.names[0]],
      [2, 0, CHECKS.names[0]],
      [3, 0, CHECKS.names[0]],
    ]);
    // The stage's plan counts (the published status leaves out their zeros).
    expect(calls[0]?.input.plan).toMatchObject(qa?.plan ?? { none: true });
    expect(calls[0]?.input.source).toEqual(input.source);
    const qaSchedule = from(schedule(history(id)), 'callExternalCheck:qa');
    expect(qaSchedule.findIndex((l) => l.includes('claimEnvironment:qa:applying'))).toBeGreaterThan(
      qaSchedule.findLastIndex((l) => l.includes('callExternalCheck:qa')),
    );
    expectDeterministic(host);
  });

  it('an approved stage waits for its window; checks that pass only after it closed are asked again in the next', async () => {
    const id = 'r-window-after-approval';
    const { policies, opensAt } = windowFrom(clock.now(), 120, 30);
    const checks = { ...CHECKS, intervalInMinutes: 45, timeoutInMinutes: 120 };
    activityScript.set(id, { externalChecks: { [`qa:${CHECKS.names[0]}`]: [FAIL, PASS] } });
    const input = releaseInput(id, ['qa'], { qa: { required: true, timeoutInHours: 24 } });
    await startRelease(host, withPolicies(input, { qa: { ...policies, externalChecks: checks } }));
    // The approver is asked at once (the window is no reason to wait for a decision) and the page says when it opens.
    const waiting = await waitingAt(host, id, 'qa');
    expect(waiting.policies?.window).toMatchObject({ open: false, opensAt: new Date(opensAt).toISOString() });
    await clientFor(host).raiseEvent(id, approvalEventName('qa'), {
      decision: 'approve',
      approver: 'alice',
      decidedAt: new Date(clock.now()).toISOString(),
    });
    // Approved, and held for the window: timer 2 is its opening.
    await until(() => stageOf(customStatusOf(host, id), 'qa')?.state === 'holding');
    await until(() => timersCreated(history(id)).length >= 2);
    expect(timersCreated(history(id))[1]?.FireAt).toBe(new Date(opensAt).toISOString());
    expect(activityScript.calls(id).filter((c) => c.name === 'callExternalCheck')).toEqual([]);
    // Open: the check fails; asked again 45 minutes later, after the 30-minute window closed, it passes.
    await fireTimer(id, 2);
    await fireTimer(id, 3);
    // So the stage waits for the next window (a day after the first) and asks the check again there.
    await until(() => timersCreated(history(id)).length >= 4);
    expect(timersCreated(history(id))[3]?.FireAt).toBe(new Date(opensAt + 24 * HOUR).toISOString());
    expect(activityScript.calls(id).filter((c) => c.key.startsWith('applyWave'))).toEqual([]);
    await fireTimer(id, 4);
    const output = await finished(host, id);
    expect(output.state).toBe('succeeded');
    const qa = stageOf(output, 'qa');
    expect(Date.parse(qa?.phases?.apply?.startedAt ?? '')).toBeGreaterThanOrEqual(opensAt + 24 * HOUR);
    expect(qa?.policies?.externalChecks?.checks).toEqual([
      expect.objectContaining({ state: 'passed', attempts: 1, message: PASS.message }),
    ]);
    expect(activityScript.calls(id).filter((c) => c.name === 'callExternalCheck')).toHaveLength(3);
    expectDeterministic(host);
  });

  it('waits a week for a weekly window in timers of at most six days (the SDK limit), replaying the same', async () => {
    const id = 'r-weekly-window';
    // This week's window ended half an hour ago: the next one opens in 7 days less 60 minutes.
    const start = Math.floor((clock.now() - HOUR) / MINUTE) * MINUTE;
    const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][new Date(start).getUTCDay()] ?? '';
    const parsed = parseChangeWindows(`${day} ${hhmm(start)}-${hhmm(start + 30 * MINUTE)} UTC`, 'TEST');
    activityScript.set(id, {});
    await startRelease(
      host,
      withPolicies(releaseInput(id, ['dev']), { dev: { changeWindows: parsed.windows } }),
    );
    await until(() => timersCreated(history(id)).length >= 1);
    const first = Date.parse(timersCreated(history(id))[0]?.FireAt ?? '');
    const began = Date.parse(stageOf(customStatusOf(host, id), 'dev')?.startedAt ?? '');
    expect(first - began).toBe(6 * 24 * HOUR);
    await fireTimer(id, 1);
    await until(() => timersCreated(history(id)).length >= 2);
    expect(timersCreated(history(id))[1]?.FireAt).toBe(new Date(start + 7 * 24 * HOUR).toISOString());
    await fireTimer(id, 2);
    expect((await finished(host, id)).state).toBe('succeeded');
    expectDeterministic(host);
  });

  it('fails the stage when a check still fails at its timeout, with its words, and goes no further', async () => {
    const id = 'r-check-timeout';
    activityScript.set(id, { externalChecks: { [`dev:${CHECKS.names[0]}`]: [FAIL] } });
    await startRelease(
      host,
      withPolicies(releaseInput(id, ['dev', 'qa']), { dev: { externalChecks: CHECKS } }),
    );
    // 15 minutes, asked every 5: at 0, 5, 10 and 15.
    await fireTimers(host, clock, id, 3);
    const output = await finished(host, id);
    expect(output.state).toBe('failed');
    const dev = stageOf(output, 'dev');
    expect(dev?.state).toBe('failed');
    expect(dev?.message).toBe(`external check ${CHECKS.names[0]} still failed after 15 min: ${FAIL.message}`);
    expect(dev?.policies?.externalChecks?.checks[0]).toMatchObject({ state: 'failed', attempts: 4 });
    expect(stageOf(output, 'qa')?.state).toBe('skipped');
    // Nothing was planned or applied, and the channel heard of the failure.
    const keys = activityScript.calls(id).map((c) => c.key);
    expect(keys.filter((k) => /planEnvironment|applyWave|claimEnvironment/.test(k))).toEqual([]);
    expect(keys).toContain('notify:dev:failed');
    expectDeterministic(host);
  });
});
