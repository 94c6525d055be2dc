import { describe, expect, it } from 'vitest';
import type { ReleaseStatus, StageStatus } from '../../../src/release/ReleaseStatus';
import { checkStageWaiting } from '../../../src/approvals/checkStageWaiting';

const EXPIRES = Date.parse('2026-11-28T10:00:00Z') / 1000;
const claims = { releaseId: 'r1', environment: 'qa', expiresAt: EXPIRES };

function release(qa: Partial<StageStatus>): ReleaseStatus {
  return {
    releaseId: 'r1',
    bundleId: 'b'.repeat(64),
    source: { kind: 'github', commit: 'abc', ref: 'refs/heads/main', repository: 'contoso/etl' },
    state: 'waiting',
    startedAt: '2026-11-25T10:00:00Z',
    stages: [
      { environment: 'dev', state: 'succeeded' },
      {
        environment: 'qa',
        state: 'waiting',
        approval: { required: true, expiresAt: '2026-11-28T10:00:00.000Z' },
        ...qa,
      },
    ],
  };
}

describe('checkStageWaiting', () => {
  it('passes a running release whose stage waits for this very link', () => {
    const result = checkStageWaiting({ runtimeStatus: 'Running', customStatus: release({}) }, claims);
    expect(result).toMatchObject({ ok: true, stage: { environment: 'qa', state: 'waiting' } });
  });

  it.each([
    ['no instance', undefined, 404, /does not exist/],
    [
      'finished instance',
      { runtimeStatus: 'Terminated', customStatus: release({}) },
      409,
      /finished \(Terminated\)/,
    ],
    ['no custom status yet', { runtimeStatus: 'Pending', customStatus: null }, 409, /not waiting/],
    [
      'a stage that is not in the release',
      { runtimeStatus: 'Running', customStatus: { ...release({}), stages: [] } },
      409,
      /not waiting/,
    ],
    [
      'a stage already approved',
      {
        runtimeStatus: 'Running',
        customStatus: release({
          state: 'deploying',
          approval: { required: true, decision: 'approve', approver: 'alice' },
        }),
      },
      409,
      /its state is now "deploying"/,
    ],
    [
      'a superseded stage',
      { runtimeStatus: 'Running', customStatus: release({ state: 'superseded' }) },
      409,
      /superseded/,
    ],
    [
      'a link of an earlier wait',
      {
        runtimeStatus: 'Running',
        customStatus: release({ approval: { required: true, expiresAt: '2026-11-29T12:00:00Z' } }),
      },
      410,
      /earlier approval request/,
    ],
  ] as const)('refuses %s', (_name, snapshot, status, message) => {
    const result = checkStageWaiting(snapshot, claims);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.status).toBe(status);
      expect(result.message).toMatch(message);
    }
  });

  it('shows who decided, when the stage is already decided', () => {
    const customStatus = release({
      state: 'rejected',
      approval: { required: true, decision: 'reject', approver: 'bob', decidedAt: '2026-11-25T11:00:00Z' },
    });
    const result = checkStageWaiting({ runtimeStatus: 'Running', customStatus }, claims);
    expect(result).toMatchObject({
      ok: false,
      title: 'Already decided',
      details: [
        ['State', 'rejected'],
        ['Decision', 'reject'],
        ['By', 'bob'],
        ['At', '2026-11-25T11:00:00Z'],
      ],
    });
  });

  it('tolerates an expiry rounded differently by the orchestration', () => {
    const customStatus = release({ approval: { required: true, expiresAt: '2026-11-28T10:00:30.500Z' } });
    expect(checkStageWaiting({ runtimeStatus: 'Running', customStatus }, claims).ok).toBe(true);
    const noExpiry = release({ approval: { required: true } });
    expect(checkStageWaiting({ runtimeStatus: 'Running', customStatus: noExpiry }, claims).ok).toBe(true);
  });
});
