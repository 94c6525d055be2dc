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

export function decisionAuditEvent(
  record: ApprovalDecisionRecord,
  who: DecidingPrincipal,
  headers: HeaderReader,
  easyAuthEnabled: boolean,
): AuditEventInput {
  // The provider header is the platform's only when Easy Auth is on (it strips client-sent copies then).
  const provider = easyAuthEnabled
    ? headers.get('x-ms-client-principal-idp')?.trim().toLowerCase() || undefined
    : undefined;
  const group = who.via?.startsWith('group:') ? who.via.slice('group:'.length) : undefined;
  const principal: AuditPrincipal = {
    authenticated: who.authenticated,
    ...(who.authenticated && provider ? { provider } : {}),
    ...(who.objectId !== undefined ? { objectId: who.objectId } : {}),
    ...(who.upn !== undefined ? { upn: who.upn } : {}),
    ...(who.displayName !== undefined ? { displayName: who.displayName } : {}),
    ...(who.via !== undefined ? { via: who.via } : {}),
    ...(group !== undefined ? { groups: [group] } : {}),
  };
  return {
    // One record per approver and wait: with a quorum, each counted vote is its own event.
    id: auditEventId(
      record.releaseId,
      record.environment,
      'approval',
      record.waitId,
      (who.objectId ?? who.approver).toLowerCase(),
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
