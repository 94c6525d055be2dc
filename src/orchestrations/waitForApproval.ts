// Deterministic: races an approval event and a supersede notice against a durable timer, in segments of
// at most six days (the JavaScript SDK's timer limit), cancelling the losing timer each time.
import type * as df from 'durable-functions';
import { approvalEventName, SUPERSEDED_EVENT, type ApprovalEvent } from '../activities/contracts';

export type ApprovalOutcome =
  { kind: 'decided'; event: ApprovalEvent } | { kind: 'expired' } | { kind: 'superseded'; by: string };

const MAX_TIMER_IN_MS = 6 * 24 * 3_600_000;

export function* waitForApproval(
  context: df.OrchestrationContext,
  environment: string,
  expiresAt: Date,
): Generator<df.Task, ApprovalOutcome, unknown> {
  let approval = context.df.waitForExternalEvent(approvalEventName(environment));
  let superseded = context.df.waitForExternalEvent(SUPERSEDED_EVENT);
  for (;;) {
    const now = context.df.currentUtcDateTime.getTime();
    if (now >= expiresAt.getTime()) return { kind: 'expired' };
    const timer = context.df.createTimer(new Date(Math.min(expiresAt.getTime(), now + MAX_TIMER_IN_MS)));
    const winner = yield context.df.Task.any([approval, superseded, timer]);
    if (winner !== timer) timer.cancel();
    if (winner === approval) {
      const event = parseApproval(approval.result);
      if (event) return { kind: 'decided', event };
      approval = context.df.waitForExternalEvent(approvalEventName(environment));
    } else if (winner === superseded) {
      const notice = superseded.result as { by?: unknown; environment?: unknown } | undefined;
      // A notice for another stage (sent while this release waited there) is stale: keep waiting.
      if (notice?.environment === environment) return { kind: 'superseded', by: String(notice.by ?? '') };
      superseded = context.df.waitForExternalEvent(SUPERSEDED_EVENT);
    }
  }
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
