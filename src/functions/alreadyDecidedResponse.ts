// I/O: the 409 page for a link whose stage was already decided, saying by whom and when.
import type { HttpResponseInit } from '@azure/functions';
import type { ApprovalClaims } from '../approvals/approvalToken';
import type { ApprovalDecisionRecord } from '../approvals/ApprovalDecisionRecord';
import { messageResponse } from '../web/responses';

export function alreadyDecidedResponse(
  claims: ApprovalClaims,
  decided: ApprovalDecisionRecord,
): HttpResponseInit {
  return messageResponse(
    409,
    'Already decided',
    `${claims.environment} of release ${claims.releaseId} is decided.`,
    [
      ['Decision', decided.decision],
      ['By', decided.approver],
      ['At', decided.decidedAt],
    ],
  );
}
