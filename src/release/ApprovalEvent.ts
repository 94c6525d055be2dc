// Pure: the external events a waiting release listens for: an approval decision per environment, and the
// notice that a newer release superseded it, and the wake-up of the release queued for an apply lock.
/** The event an approval decision raises: `approval:<env>`. */
export interface ApprovalEvent {
  decision: 'approve' | 'reject';
  approver: string;
  comment?: string;
  decidedAt: string;
}

export const approvalEventName = (environment: string): string => `approval:${environment}`;
export const SUPERSEDED_EVENT = 'superseded';
/** Raised to the release queued for an environment's apply lock when the lock is given up. */
export const ENVIRONMENT_FREE_EVENT = 'environmentFree';
