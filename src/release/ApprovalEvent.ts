// Pure: the external events a waiting release listens for: an approval decision per environment, and the
// notice that a newer release superseded it, and the wake-up of the release queued for an apply lock.
/** The event an approval decision raises: `approval:<env>`. */
export interface ApprovalEvent {
  decision: 'approve' | 'reject';
  approver: string;
  comment?: string;
  decidedAt: string;
  /**
   * The approver's Entra object id, when Entra ID signed them in. A quorum counts distinct approvers by it
   * (else by the name, lower-cased: approverKey).
   */
  approverObjectId?: string;
}

/** Who decided, for counting distinct approvers: the object id, else the name (case-insensitive). */
export const approverKey = (event: Pick<ApprovalEvent, 'approver' | 'approverObjectId'>): string =>
  event.approverObjectId !== undefined
    ? `oid:${event.approverObjectId.toLowerCase()}`
    : `name:${event.approver.toLowerCase()}`;

export const approvalEventName = (environment: string): string => `approval:${environment}`;
export const SUPERSEDED_EVENT = 'superseded';
/** Raised to the release queued for an environment's apply lock when the lock is given up. */
export const ENVIRONMENT_FREE_EVENT = 'environmentFree';
