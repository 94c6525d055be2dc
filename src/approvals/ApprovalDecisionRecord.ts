// Pure: one recorded approval decision: who, when, comment, and which wait it answered.
import type { ApprovalEvent } from '../release/ApprovalEvent';
import type { AuditPrincipal } from '../release/AuditEvent';

export interface ApprovalDecisionRecord extends ApprovalEvent {
  releaseId: string;
  environment: string;
  /**
   * The wait this decision answers (see approvalWaitId). A re-run of a release under the same instance id
   * waits again with a new id, so an old decision does not block it.
   */
  waitId: string;
  /**
   * The approver's Microsoft Entra object id, when Entra ID signed them in: the stable identity behind
   * `approver` (a UPN or display name can change hands; the object id cannot).
   */
  approverObjectId?: string;
  /** The approver's display name as Entra ID gave it; for people reading the record, never matched. */
  approverDisplayName?: string;
  /**
   * Why they could decide (resolveApprover's `via`): `anyone` (no list), `allowList`, or `group:<object id>`
   * (the Entra group whose claim let them in). For the audit trail, with the object id above.
   */
  via?: string;
  /**
   * The claims that let the approver decide, as the audit trail keeps them (decisionPrincipal): stored with
   * the decision so that a decision delivered by a later request is audited as its maker's.
   */
  principal?: AuditPrincipal;
  /** Its event reached the release (DecisionStore.markDelivered): a later request for the wait sends nothing. */
  delivered?: boolean;
}
