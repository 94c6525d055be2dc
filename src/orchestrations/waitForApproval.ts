// Deterministic: races an approval event and a supersede notice against a durable timer, in segments of
// at most six days (the JavaScript SDK's timer limit), cancelling the losing timer each time.
import type * as df from 'durable-functions';
import { approvalEventName, SUPERSEDED_EVENT, type ApprovalEvent } from '../release/ApprovalEvent';

export type ApprovalOutcome =
  { kind: 'decided'; event: ApprovalEvent } | { kind: 'expired' } | { kind: 'superseded'; by: string };

const MAX_TIMER_IN_MS = 6 * 24 * 3_600_000;

/** The release's one waiter for supersede notices, replaced only after a stale notice was used up. */
export interface SupersedeNotices {
  task: df.Task;
}

export function* waitForApproval(
  context: df.OrchestrationContext,
  environment: string,
  expiresAt: Date,
  notices: SupersedeNotices,
): Generator<df.Task, ApprovalOutcome, unknown> {
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
      const event = parseApproval(approval.result);
      if (event) return { kind: 'decided', event };
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
  };
}
