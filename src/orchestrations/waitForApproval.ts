// Deterministic: races approval events and a supersede notice against a durable timer, in segments of
// at most six days (the JavaScript SDK's timer limit), cancelling the losing timer each time. With a quorum
// it keeps listening until `quorum` distinct approvers approved (the same approver twice counts once) or
// anyone rejected: one rejection is final. Events are read one by one in the order the history holds them,
// so a replay counts exactly as the first run did.
import type * as df from 'durable-functions';
import {
  answersWait,
  approvalEventName,
  approverKey,
  SUPERSEDED_EVENT,
  type ApprovalEvent,
  type ApprovalWait,
} from '../release/ApprovalEvent';

export type ApprovalOutcome =
  | {
      kind: 'decided';
      /** The approval that completed the quorum, or the rejection. */
      event: ApprovalEvent;
      /** Every distinct approval, in arrival order (with a rejection: those before it). */
      approvals: ApprovalEvent[];
    }
  | { kind: 'expired' }
  | { kind: 'superseded'; by: string };

const MAX_TIMER_IN_MS = 6 * 24 * 3_600_000;

/** The release's one waiter for supersede notices, replaced only after a stale notice was used up. */
export interface SupersedeNotices {
  task: df.Task;
}

export function* waitForApproval(
  context: df.OrchestrationContext,
  environment: string,
  /** The wait: its deadline and the plan it asks about (decisions for another wait are read and let pass). */
  asked: { expiresAt: Date; planId?: string },
  notices: SupersedeNotices,
  quorum = 1,
  /** Called with the approvals so far after each new one short of the quorum (to publish "1 of 2"). */
  onApproval: (approvals: readonly ApprovalEvent[]) => void = () => undefined,
): Generator<df.Task, ApprovalOutcome, unknown> {
  const { expiresAt } = asked;
  const approvals: ApprovalEvent[] = [];
  let approval = context.df.waitForExternalEvent(approvalEventName(environment));
  for (;;) {
    // A notice may have reached the release's waiter between two gates. durable-functions never resolves a
    // Task.any built around an already-completed task, so a completed notice is read here, not raced.
    if (notices.task.isCompleted) {
      const notice = readNotice(notices.task);
      if (notice.environment === environment) return { kind: 'superseded', by: notice.by };
      notices.task = context.df.waitForExternalEvent(SUPERSEDED_EVENT);
    }
    const now = context.df.currentUtcDateTime.getTime();
    if (now >= expiresAt.getTime()) return { kind: 'expired' };
    const timer = context.df.createTimer(new Date(Math.min(expiresAt.getTime(), now + MAX_TIMER_IN_MS)));
    const superseded = notices.task;
    const winner = yield context.df.Task.any([approval, superseded, timer]);
    if (winner !== timer) timer.cancel();
    if (winner === approval) {
      // A decision for another wait (delivered twice, the copy arriving after that wait ended) counts nothing.
      const parsed = parseApproval(approval.result);
      const event = parsed && answersWait(parsed.wait, asked) ? parsed : undefined;
      if (event?.decision === 'reject') return { kind: 'decided', event, approvals };
      if (event && !approvals.some((a) => approverKey(a) === approverKey(event))) {
        approvals.push(event);
        if (approvals.length >= quorum) return { kind: 'decided', event, approvals };
        onApproval(approvals);
      }
      approval = context.df.waitForExternalEvent(approvalEventName(environment));
    } else if (winner === superseded) {
      const notice = readNotice(superseded);
      // A notice for another stage (sent while this release waited there) is stale: keep waiting.
      if (notice.environment === environment) return { kind: 'superseded', by: notice.by };
      notices.task = context.df.waitForExternalEvent(SUPERSEDED_EVENT);
    }
  }
}

function readNotice(task: df.Task): { environment: string; by: string } {
  const value = task.result as { by?: unknown; environment?: unknown } | undefined;
  return { environment: String(value?.environment ?? ''), by: String(value?.by ?? '') };
}

function parseApproval(value: unknown): ApprovalEvent | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Partial<ApprovalEvent>;
  if (v.decision !== 'approve' && v.decision !== 'reject') return undefined;
  return {
    decision: v.decision,
    approver: typeof v.approver === 'string' ? v.approver : 'unknown',
    ...(typeof v.comment === 'string' ? { comment: v.comment.slice(0, 1000) } : {}),
    decidedAt: typeof v.decidedAt === 'string' ? v.decidedAt : '',
    ...(typeof v.approverObjectId === 'string' ? { approverObjectId: v.approverObjectId } : {}),
    ...(parseWait(v.wait) ?? {}),
  };
}

function parseWait(value: unknown): { wait: ApprovalWait } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const w = value as Partial<ApprovalWait>;
  if (typeof w.expiresAt !== 'number') return undefined;
  return { wait: { expiresAt: w.expiresAt, ...(typeof w.planId === 'string' ? { planId: w.planId } : {}) } };
}
