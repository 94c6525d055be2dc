// I/O: the 409 page for a link whose stage was already decided, saying what, by whom and when, with a
// link onward to the release.
import type { HttpResponseInit } from '@azure/functions';
import type { ApprovalClaims } from '../approvals/approvalToken';
import type { ApprovalDecisionRecord } from '../approvals/ApprovalDecisionRecord';
import { displayName } from '../config/loadSettings';
import { formatUtc } from '../web/format';
import { messageResponse } from '../web/responses';

export function alreadyDecidedResponse(
  claims: ApprovalClaims,
  decided: ApprovalDecisionRecord,
  statusUrl: string,
  /** With a quorum the record is the viewer's own vote: say so, since others may still approve. */
  ownVote = false,
): HttpResponseInit {
  const verb = decided.decision === 'approve' ? 'approved' : 'rejected';
  return messageResponse(
    409,
    'Already decided',
    ownVote
      ? `You already ${verb} ${displayName(claims.environment)} of release ${claims.releaseId}; ` +
          'each approver counts once.'
      : `${displayName(claims.environment)} of release ${claims.releaseId} was already ` +
          `${verb}; the first decision counts.`,
    [
      ['Decision', decided.decision === 'approve' ? 'Approved' : 'Rejected'],
      ['By', decided.approver],
      ['At', formatUtc(decided.decidedAt)],
    ],
    {},
    { href: statusUrl, label: 'Release status' },
  );
}
