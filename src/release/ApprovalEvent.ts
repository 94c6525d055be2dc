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
  /**
   * The wait this decision answers, from its signed link: the wait's expiry (seconds) and the plan it asked
   * about. The gate reads an event of another wait (a decision delivered twice, then a later wait of the same
   * release after a re-plan) and lets it pass: only a decision on the plan being asked about counts.
   */
  wait?: ApprovalWait;
}

export interface ApprovalWait {
  /** The link's expiry in seconds since the epoch (the wait's `expiresAt`). */
  expiresAt: number;
  /** The plan id the wait asked about, when it named one. */
  planId?: string;
}

/**
 * Links of one wait carry the wait's expiry; a copy may be rounded differently, but two waits of one release
 * are minutes apart at least.
 */
export const WAIT_EXPIRY_TOLERANCE_SECONDS = 60;

/** Whether a decision's wait is the wait asked about now (a decision without one predates the field). */
export function answersWait(
  wait: ApprovalWait | undefined,
  asked: { expiresAt: Date; planId?: string },
): boolean {
  if (wait === undefined) return true;
  return (
    Math.abs(wait.expiresAt - asked.expiresAt.getTime() / 1000) <= WAIT_EXPIRY_TOLERANCE_SECONDS &&
    wait.planId === asked.planId
  );
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
