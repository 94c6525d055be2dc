// Pure: the approval policy's state in words, for the approval page and the status page: how many distinct
// approvals are still needed and who approved so far ("waiting for 1 of 2 approvals (approved by alice)"),
// and whether whoever asked for the release may approve it.
import type { DeciderResolution } from '../approvals/resolveDecider';
import type { ReleaseSource } from '../release/ReleaseInput';
import type { ApprovalInfo, StageStatus } from '../release/ReleaseStatus';
import { escapeHtml } from './html';

export interface ApprovalPolicyState {
  quorum: number;
  /** Who approved so far (with a quorum), in order. */
  approvedBy: string[];
  noSelfApproval: boolean;
  /** Who asked for the release, and how ("pushed this commit"), when the source names someone. */
  requester?: { name: string; did: string };
  /** Entra groups whose members may decide besides the allow-list. */
  groups: readonly string[];
}

const DID: Record<ReleaseSource['kind'], string> = {
  github: 'pushed this commit',
  azureRepos: 'pushed this commit',
  manual: 'requested this release',
  upload: 'uploaded this bundle',
};

export function approvalPolicyState(
  decider: Pick<DeciderResolution, 'quorum' | 'noSelfApproval'>,
  stage: StageStatus,
  source: ReleaseSource,
  groups: readonly string[] = [],
): ApprovalPolicyState {
  return {
    quorum: decider.quorum,
    approvedBy: (stage.approval?.approvals ?? []).map((a) => a.approver),
    noSelfApproval: decider.noSelfApproval,
    ...(source.requestedBy ? { requester: { name: source.requestedBy, did: DID[source.kind] } } : {}),
    groups,
  };
}

/** "waiting for 1 of 2 approvals (approved by alice)", or undefined without a quorum. */
export function describeQuorum(
  approval: Pick<ApprovalInfo, 'quorum' | 'approvals'> | undefined,
): string | undefined {
  const quorum = approval?.quorum ?? 1;
  if (quorum <= 1) return undefined;
  const by = (approval?.approvals ?? []).map((a) => a.approver);
  const missing = Math.max(quorum - by.length, 0);
  return (
    `waiting for ${missing} of ${quorum} approvals` + (by.length > 0 ? ` (approved by ${by.join(', ')})` : '')
  );
}

/** The approval page's policy section; empty when the environment has neither policy. */
export function renderApprovalPolicy(state: ApprovalPolicyState | undefined): string {
  if (!state) return '';
  const items: string[] = [];
  if (state.quorum > 1) {
    const progress = describeQuorum({
      quorum: state.quorum,
      approvals: state.approvedBy.map((approver) => ({ approver, decidedAt: '' })),
    });
    items.push(
      `<li data-policy="quorum"><strong>${state.quorum} different approvers</strong> must approve; ` +
        `one rejection is final. Now ${escapeHtml(progress ?? '')}.</li>`,
    );
  }
  if (state.groups.length > 0) {
    items.push(
      `<li data-policy="groups">Members of the Entra group(s) ${state.groups.map((g) => `<code>${escapeHtml(g)}</code>`).join(', ')} may decide too.</li>`,
    );
  }
  if (state.noSelfApproval) {
    const who = state.requester
      ? `<strong>${escapeHtml(state.requester.name)}</strong>, who ${escapeHtml(state.requester.did)}, cannot approve it`
      : 'whoever asked for this release cannot approve it';
    items.push(`<li data-policy="noSelfApproval">No self-approval: ${who}.</li>`);
  }
  if (items.length === 0) return '';
  return `<section id="policy"><h2>Approval policy</h2><ul>${items.join('')}</ul></section>`;
}

/** The note under the approval form: what ends the wait, and what one click does. */
export function decisionNote(state: ApprovalPolicyState | undefined): string {
  const quorum = state?.quorum ?? 1;
  return quorum > 1
    ? `Opening this page decides nothing. Each approver decides once; ${quorum} approvals or the first rejection end the wait.`
    : 'Opening this page decides nothing. The first decision counts; the link then stops working.';
}

/** The status page's lines for a stage's approval policy (escaped HTML). */
export function approvalPolicyNotes(approval: ApprovalInfo | undefined, waiting: boolean): string[] {
  const notes: string[] = [];
  const quorum = waiting ? describeQuorum(approval) : undefined;
  if (quorum) notes.push(`<span class="policy" data-policy="quorum">${escapeHtml(quorum)}</span>`);
  if (approval?.noSelfApproval && waiting) {
    notes.push('<span class="policy" data-policy="noSelfApproval">no self-approval</span>');
  }
  return notes;
}
