// Pure: the external events a waiting release listens for: an approval decision per environment, and the
// notice that a newer release superseded it.
/** The event an approval decision raises: `approval:<env>`. */
export interface ApprovalEvent {
  decision: 'approve' | 'reject';
  approver: string;
  comment?: string;
  decidedAt: string;
}

export const approvalEventName = (environment: string): string => `approval:${environment}`;
export const SUPERSEDED_EVENT = 'superseded';
