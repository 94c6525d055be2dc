// Orchestration tests: an approval quorum on the sandbox host (real durable-functions replay, histories in
// Azurite, a replay-from-scratch check after every episode). The gate counts distinct approvers until the
// quorum, shows who approved while it waits, and ends at the first rejection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalEventName, type ApprovalEvent } from '../../src/release/ApprovalEvent';
import type { ReleaseStatus } from '../../src/release/ReleaseStatus';
import { FastForwardClock } from '../sandbox/host/FastForwardClock';
import {
  clientFor,
  customStatusOf,
  expectDeterministic,
  finished,
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

const ALICE_ID = '6f1d2c3b-0a9e-4c8d-9b7a-1e2f3a4b5c6d';
const BOB_ID = '2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d';

describe('an approval quorum on the sandbox host', () => {
  const clock = new FastForwardClock();
  const world = releaseHost(clock);
  beforeAll(() => world.start());
  afterAll(() => world.stop());

  const raise = (releaseId: string, event: ApprovalEvent): Promise<void> =>
    clientFor(world.host).raiseEvent(releaseId, approvalEventName('prod'), event);
  const vote = (
    decision: 'approve' | 'reject',
    approver: string,
    decidedAt: string,
    approverObjectId?: string,
  ): ApprovalEvent => ({
    decision,
    approver,
    decidedAt,
    ...(approverObjectId === undefined ? {} : { approverObjectId }),
  });
  /** Waits until the waiting stage lists `count` approvals in the published status. */
  const approvalsShown = async (id: string, count: number): Promise<ReleaseStatus> => {
    const status = await world.host.durable.waitFor(
      id,
      (s) =>
        (stageOf(s.customStatus as ReleaseStatus | undefined, 'prod')?.approval?.approvals?.length ?? 0) ===
        count,
    );
    return status.customStatus as ReleaseStatus;
  };
  const events = (id: string): number =>
    schedule(world.host.durable.history(id)).filter((line) => line.startsWith('EventRaised')).length;

  it('waits for 2 distinct approvers: the same approver twice counts once, then the second approver completes it', async () => {
    const id = 'q-two-of-three';
    await startRelease(
      world.host,
      releaseInput(id, ['dev', 'prod'], {
        prod: { required: true, timeoutInHours: 72, quorum: 2, noSelfApproval: true },
      }),
    );
    const waiting = await waitingAt(world.host, id, 'prod');
    expect(waiting.approval).toMatchObject({ required: true, quorum: 2, noSelfApproval: true });
    expect(waiting.approval?.approvals).toBeUndefined();

    await raise(id, vote('approve', 'alice@contoso.com', '2026-11-25T10:00:00.000Z', ALICE_ID));
    const afterAlice = await approvalsShown(id, 1);
    expect(stageOf(afterAlice, 'prod')).toMatchObject({
      state: 'waiting',
      approval: {
        quorum: 2,
        approvals: [{ approver: 'alice@contoso.com', decidedAt: '2026-11-25T10:00:00.000Z' }],
      },
    });

    // Alice again (a second device, a forwarded link): same object id, another spelling of her name.
    await raise(id, vote('approve', 'Alice@Contoso.com', '2026-11-25T10:01:00.000Z', ALICE_ID));
    // The second event was read (the gate listens again: a timer of its own) and changed nothing.
    await until(() => events(id) === 2 && timersCreated(world.host.durable.history(id)).length === 3);
    expect(world.host.durable.status(id)?.runtimeStatus).toBe('Running');
    expect(stageOf(customStatusOf(world.host, id), 'prod')?.approval?.approvals).toHaveLength(1);

    await raise(id, vote('approve', 'bob@contoso.com', '2026-11-25T10:05:00.000Z', BOB_ID));
    const output = await finished(world.host, id);
    expect(output.state).toBe('succeeded');
    expect(stageOf(output, 'prod')?.approval).toEqual({
      required: true,
      expiresAt: waiting.approval?.expiresAt,
      quorum: 2,
      noSelfApproval: true,
      decision: 'approve',
      approver: 'alice@contoso.com, bob@contoso.com',
      decidedAt: '2026-11-25T10:05:00.000Z',
      approvals: [
        { approver: 'alice@contoso.com', decidedAt: '2026-11-25T10:00:00.000Z' },
        { approver: 'bob@contoso.com', decidedAt: '2026-11-25T10:05:00.000Z' },
      ],
    });
    // One wait: three events, each read by a new listen (and its timer), then one release of the waiting claim.
    expect(from(schedule(world.host.durable.history(id)), 'claimEnvironment:prod:waiting')).toEqual([
      'TaskScheduled#7 claimEnvironment:prod:waiting',
      'TaskScheduled#8 notify:prod:approvalNeeded',
      'TimerCreated#9',
      'EventRaised approval:prod',
      'TimerCreated#10',
      'EventRaised approval:prod',
      'TimerCreated#11',
      'EventRaised approval:prod',
      'TaskScheduled#12 releaseEnvironment:prod:waiting',
      'TaskScheduled#13 claimEnvironment:prod:applying',
      `SubOrchestrationInstanceCreated#14 deployEnvironment ${id}:prod`,
      'TaskScheduled#15 releaseEnvironment:prod:applying',
      'TaskScheduled#16 notify:prod:succeeded',
    ]);
    expectDeterministic(world.host);
  });

  it('ends at the first rejection, whatever the count: one rejection is final', async () => {
    const id = 'q-rejected';
    await startRelease(
      world.host,
      releaseInput(id, ['dev', 'prod'], { prod: { required: true, timeoutInHours: 72, quorum: 2 } }),
    );
    await waitingAt(world.host, id, 'prod');
    await raise(id, vote('approve', 'alice@contoso.com', '2026-11-25T10:00:00.000Z', ALICE_ID));
    await approvalsShown(id, 1);
    await raise(id, {
      ...vote('reject', 'carol@contoso.com', '2026-11-25T10:02:00.000Z'),
      comment: 'not on a Friday',
    });
    const output = await finished(world.host, id);
    expect(output.state).toBe('rejected');
    expect(stageOf(output, 'prod')).toMatchObject({
      state: 'rejected',
      message: 'rejected by carol@contoso.com: not on a Friday',
      approval: {
        decision: 'reject',
        approver: 'carol@contoso.com',
        approvals: [{ approver: 'alice@contoso.com', decidedAt: '2026-11-25T10:00:00.000Z' }],
      },
    });
    expect(world.host.durable.instances({ instanceIdPrefix: `${id}:` }).map((s) => s.instanceId)).toEqual([
      `${id}:dev`,
    ]);
    expectDeterministic(world.host);
  });

  it('lets a decision for another wait pass (a copy delivered again after a re-plan asked anew): only this wait counts', async () => {
    const id = 'q-other-wait';
    await startRelease(
      world.host,
      releaseInput(id, ['dev', 'prod'], { prod: { required: true, timeoutInHours: 72 } }),
    );
    const waiting = await waitingAt(world.host, id, 'prod');
    const expiresAt = Date.parse(waiting.approval?.expiresAt ?? '') / 1000;
    expect(Number.isFinite(expiresAt)).toBe(true);
    const planId = waiting.approval?.planId;
    const thisWait = { expiresAt, ...(planId === undefined ? {} : { planId }) };
    // An approval of an earlier plan, and one of an earlier wait (its expiry hours before this one's).
    await raise(id, {
      ...vote('approve', 'mallory@contoso.com', '2026-11-25T09:00:00.000Z'),
      wait: { ...thisWait, planId: 'an-earlier-plan' },
    });
    await raise(id, {
      ...vote('approve', 'mallory@contoso.com', '2026-11-25T09:01:00.000Z'),
      wait: { ...thisWait, expiresAt: expiresAt - 3 * 3600 },
    });
    await until(() => events(id) === 2 && timersCreated(world.host.durable.history(id)).length === 3);
    expect(world.host.durable.status(id)?.runtimeStatus).toBe('Running');
    expect(stageOf(customStatusOf(world.host, id), 'prod')?.state).toBe('waiting');

    await raise(id, {
      ...vote('approve', 'alice@contoso.com', '2026-11-25T10:00:00.000Z', ALICE_ID),
      wait: thisWait,
    });
    const output = await finished(world.host, id);
    expect(output.state).toBe('succeeded');
    expect(stageOf(output, 'prod')?.approval).toMatchObject({
      decision: 'approve',
      approver: 'alice@contoso.com',
    });
    expectDeterministic(world.host);
  });

  it('without a quorum the first approval decides, as before (no count on the stage)', async () => {
    const id = 'q-one';
    await startRelease(
      world.host,
      releaseInput(id, ['dev', 'prod'], { prod: { required: true, timeoutInHours: 72 } }),
    );
    await waitingAt(world.host, id, 'prod');
    await raise(id, vote('approve', 'alice@contoso.com', '2026-11-25T10:00:00.000Z', ALICE_ID));
    const output = await finished(world.host, id);
    expect(stageOf(output, 'prod')?.approval).toEqual({
      required: true,
      expiresAt: expect.any(String),
      decision: 'approve',
      approver: 'alice@contoso.com',
      decidedAt: '2026-11-25T10:00:00.000Z',
    });
    expectDeterministic(world.host);
  });
});
