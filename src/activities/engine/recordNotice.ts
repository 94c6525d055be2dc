// I/O: the audit record of a notice the release sends (the notify activity): an approval asked for, or a
// stage's end with its apply and checks outcome (a rollback ends the stage `rolledBack`, naming the bundle it
// put back). Recorded where it happens: notify runs on every stage's end and every approval wait, and an
// orchestrator cannot write (no I/O there). Never throws: notify is called without retries (a notice is never
// worth a failed release), so an append that still fails after the storage client's own retries is logged.
import type { InvocationContext } from '@azure/functions';
import { auditEventId, type AuditEventInput } from '../../release/AuditEvent';
import { appendAudit } from '../../services/appendAudit';
import type { NotifyInput } from '../contracts';

export async function recordNotice(input: NotifyInput, context: InvocationContext): Promise<void> {
  const event = noticeAuditEvent(input);
  if (!event) return;
  try {
    await appendAudit(event);
  } catch (error) {
    const reason = error instanceof Error ? error.name : 'error';
    context.error(`notify: the audit record ${event.id} was not written (${reason})`);
  }
}

/** The audit event of a notice; undefined for a notice that is no release event. */
export function noticeAuditEvent(input: NotifyInput): AuditEventInput | undefined {
  const { releaseId, environment } = input;
  if (input.kind === 'approvalNeeded') {
    return {
      id: auditEventId(
        releaseId,
        environment,
        'approvalRequested',
        input.planId ?? '',
        input.expiresAt ?? '',
      ),
      environment,
      releaseId,
      kind: 'approvalRequested',
      ...(input.planId !== undefined ? { planId: input.planId } : {}),
      ...(input.expiresAt !== undefined ? { expiresAt: input.expiresAt } : {}),
    };
  }
  if (input.kind !== 'stageFinished' || input.state === undefined) return undefined;
  return {
    id: auditEventId(releaseId, environment, 'stageFinished', input.state, input.finishedAt ?? ''),
    ...(input.finishedAt !== undefined ? { at: input.finishedAt } : {}),
    environment,
    releaseId,
    kind: 'stageFinished',
    state: input.state,
    ...(input.message !== undefined ? { message: input.message } : {}),
    ...(input.outcome ? { outcome: input.outcome } : {}),
    ...(input.checks ? { checks: input.checks } : {}),
    ...(input.policies ? { policies: input.policies } : {}),
  };
}
