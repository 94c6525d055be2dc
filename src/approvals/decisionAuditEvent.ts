// Pure: the audit record of an approval decision: who, when, the comment (the approver's own words, bounded
// by the store), the wait it answered, and the claims that let them decide: the identity provider, the Entra
// object id and UPN, and the allow-list or the group claim that matched. Never a token or a principal header:
// Easy Auth's X-MS-CLIENT-PRINCIPAL carries every claim of the sign-in, and only these few are kept.
// https://learn.microsoft.com/azure/app-service/configure-authentication-user-identities
import type { ApprovalDecisionRecord } from './ApprovalDecisionRecord';
import type { HeaderReader } from './resolveApprover';
import { auditEventId, type AuditEventInput, type AuditPrincipal } from '../release/AuditEvent';

/** The parts of a resolved approver (resolveApprover's `ok` answer) that the record keeps. */
export interface DecidingPrincipal {
  approver: string;
  authenticated: boolean;
  objectId?: string;
  upn?: string;
  displayName?: string;
  via?: string;
}

/**
 * The claims that let the approver decide, as the audit keeps them. Worked out when the decision is made
 * (from that request's headers) and stored with the decision, so that a decision delivered later (its first
 * request cut off after recording it) is audited with the claims of the person who made it.
 */
export function decisionPrincipal(
  who: DecidingPrincipal,
  headers: HeaderReader,
  easyAuthEnabled: boolean,
): AuditPrincipal {
  // The provider header is the platform's only when Easy Auth is on (it strips client-sent copies then).
  const provider = easyAuthEnabled
    ? headers.get('x-ms-client-principal-idp')?.trim().toLowerCase() || undefined
    : undefined;
  const group = who.via?.startsWith('group:') ? who.via.slice('group:'.length) : undefined;
  return {
    authenticated: who.authenticated,
    ...(who.authenticated && provider ? { provider } : {}),
    ...(who.objectId !== undefined ? { objectId: who.objectId } : {}),
    ...(who.upn !== undefined ? { upn: who.upn } : {}),
    ...(who.displayName !== undefined ? { displayName: who.displayName } : {}),
    ...(who.via !== undefined ? { via: who.via } : {}),
    ...(group !== undefined ? { groups: [group] } : {}),
  };
}

/** The audit record of a decision (`principal`: decisionPrincipal's answer, kept with the decision). */
export function decisionAuditEvent(
  record: ApprovalDecisionRecord,
  principal: AuditPrincipal,
): AuditEventInput {
  return {
    // One record per approver and wait: with a quorum, each counted vote is its own event.
    id: auditEventId(
      record.releaseId,
      record.environment,
      'approval',
      record.waitId,
      (principal.objectId ?? record.approver).toLowerCase(),
    ),
    at: record.decidedAt,
    environment: record.environment,
    releaseId: record.releaseId,
    kind: 'approval',
    decision: record.decision,
    approver: record.approver,
    decidedAt: record.decidedAt,
    ...(record.comment !== undefined ? { comment: record.comment } : {}),
    waitId: record.waitId,
    principal,
  };
}
