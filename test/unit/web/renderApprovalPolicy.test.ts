import { describe, expect, it } from 'vitest';
import type { StageStatus } from '../../../src/release/ReleaseStatus';
import {
  approvalPolicyNotes,
  approvalPolicyState,
  decisionNote,
  describeQuorum,
  renderApprovalPolicy,
} from '../../../src/web/renderApprovalPolicy';

const EVIL = '<img src=x onerror=alert(1)>';
const GROUP = '9d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6';
const waiting = (approvals: string[]): StageStatus => ({
  environment: 'prod',
  state: 'waiting',
  approval: {
    required: true,
    quorum: 2,
    noSelfApproval: true,
    ...(approvals.length > 0
      ? { approvals: approvals.map((approver) => ({ approver, decidedAt: '2026-11-25T10:00:00Z' })) }
      : {}),
  },
});

describe('describeQuorum', () => {
  it.each([
    [[], 'waiting for 2 of 2 approvals'],
    [['alice'], 'waiting for 1 of 2 approvals (approved by alice)'],
    [['alice', 'bob'], 'waiting for 0 of 2 approvals (approved by alice, bob)'],
  ])('with approvals %j says "%s"', (approvals, expected) => {
    expect(describeQuorum(waiting(approvals).approval)).toBe(expected);
  });

  it('says nothing without a quorum', () => {
    expect(describeQuorum({})).toBeUndefined();
    expect(describeQuorum({ quorum: 1 })).toBeUndefined();
    expect(describeQuorum(undefined)).toBeUndefined();
  });
});

describe('renderApprovalPolicy', () => {
  it('states the quorum with its progress, the groups and who may not approve, escaped', () => {
    const state = approvalPolicyState(
      { quorum: 2, noSelfApproval: true },
      waiting([`alice ${EVIL}`]),
      { kind: 'github', requestedBy: `mona ${EVIL}` },
      [GROUP],
    );
    const html = renderApprovalPolicy(state);
    expect(html).toContain(
      '<li data-policy="quorum"><strong>2 different approvers</strong> must approve; one rejection is final. ' +
        'Now waiting for 1 of 2 approvals (approved by alice &lt;img src=x onerror=alert(1)&gt;).</li>',
    );
    expect(html).toContain(`<code>${GROUP}</code> may decide too.`);
    expect(html).toContain(
      'No self-approval: <strong>mona &lt;img src=x onerror=alert(1)&gt;</strong>, who pushed this commit, cannot approve it.',
    );
    expect(html).not.toContain('<img');
  });

  it('names what the requester did, by source, and says "whoever asked" when nobody is named', () => {
    const said = (kind: 'manual' | 'upload' | 'azureRepos', requestedBy?: string): string =>
      renderApprovalPolicy(
        approvalPolicyState({ quorum: 1, noSelfApproval: true }, waiting([]), {
          kind,
          ...(requestedBy ? { requestedBy } : {}),
        }),
      );
    expect(said('manual', 'mona@contoso.com')).toContain('who requested this release');
    expect(said('upload', 'ci-bot')).toContain('who uploaded this bundle');
    expect(said('azureRepos', 'mona@contoso.com')).toContain('who pushed this commit');
    expect(said('upload')).toContain('No self-approval: whoever asked for this release cannot approve it.');
  });

  it('renders nothing when the environment has neither policy', () => {
    const state = approvalPolicyState({ quorum: 1, noSelfApproval: false }, waiting([]), { kind: 'manual' });
    expect(renderApprovalPolicy(state)).toBe('');
    expect(renderApprovalPolicy(undefined)).toBe('');
  });

  it('says under the form what ends the wait', () => {
    expect(decisionNote(undefined)).toBe(
      'Opening this page decides nothing. The first decision counts; the link then stops working.',
    );
    const state = approvalPolicyState({ quorum: 3, noSelfApproval: false }, waiting([]), { kind: 'manual' });
    expect(decisionNote(state)).toBe(
      'Opening this page decides nothing. Each approver decides once; 3 approvals or the first rejection end the wait.',
    );
  });
});

describe('approvalPolicyNotes (status page)', () => {
  it('shows the count and the self-approval rule while the stage waits, escaped', () => {
    expect(approvalPolicyNotes(waiting([`a${EVIL}`]).approval, true)).toEqual([
      '<span class="policy" data-policy="quorum">waiting for 1 of 2 approvals (approved by a&lt;img src=x onerror=alert(1)&gt;)</span>',
      '<span class="policy" data-policy="noSelfApproval">no self-approval</span>',
    ]);
  });

  it('says nothing once the stage stopped waiting, or without either policy', () => {
    expect(approvalPolicyNotes(waiting(['alice']).approval, false)).toEqual([]);
    expect(approvalPolicyNotes({ required: true }, true)).toEqual([]);
  });
});
