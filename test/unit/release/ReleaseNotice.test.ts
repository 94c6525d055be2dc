import { describe, expect, it } from 'vitest';
import {
  noticeClip,
  noticePolicyOf,
  noticeText,
  planFacts,
  planTotal,
  policyFacts,
  stateWords,
} from '../../../src/release/ReleaseNotice';
import { approvalNeeded, failed, ringFailed, rolledBack, succeeded } from './notices';

describe('noticeText', () => {
  it('keeps the words notices always had, with only the links when nothing else is known', () => {
    const bare = {
      ...approvalNeeded,
      source: undefined,
      plan: undefined,
      diff: undefined,
      policy: undefined,
    };
    expect(noticeText(bare)).toBe(
      'bricklane: release rel-1a2b3c waits for approval to deploy to prod (until 2026-12-08T10:00:00.000Z). Review the plan and decide: https://bricklane.example/api/approvals/v1.approval-token',
    );
    expect(noticeText({ ...failed })).toBe(
      'bricklane: qa failed for release rel-1a2b3c — check smoke_test failed: assertion failed in cell 3. Fix: bricklane validate artifacts. Status: https://bricklane.example/api/views/v1.status-token',
    );
  });

  it('adds the plan, the code diff and the policy state before the link, and says "rolled back"', () => {
    expect(noticeText(approvalNeeded)).toBe(
      'bricklane: release rel-1a2b3c waits for approval to deploy to prod (until 2026-12-08T10:00:00.000Z). ' +
        'Plan: 3 to create, 2 to update, 2 to delete. Code diff: 4 files changed, +120 −8 lines. ' +
        'Approvals: 1 of 2 received. Change window: closed, opens 2026-12-07 17:00 UTC (Mon-Fri 18:00-22:00 Europe/Berlin). ' +
        'Wait timer: until 2026-12-07 12:00 UTC. External checks: 1 passed, 1 failing. ' +
        'Review the plan and decide: https://bricklane.example/api/approvals/v1.approval-token',
    );
    expect(noticeText(rolledBack)).toMatch(
      /^bricklane: qa rolled back for release rel-9f8e7d — .+\. Plan: 0 to create, 2 to update, 0 to delete\. Roll back: \S+ Status: \S+$/,
    );
    expect(noticeText(ringFailed)).toBe(
      'bricklane: prod failed for release rel-5e6f7a — prod.t6: check smoke_test failed: boom.' +
        (ringFailed.links.targetRollbacks ?? []).map((r) => ` Roll back ${r.target}: ${r.url}`).join('') +
        ' Status: https://bricklane.example/api/views/v1.status-token',
    );
    expect(noticeText(succeeded)).toMatch(
      /^bricklane: dev succeeded for release rel-1a2b3c\. Plan: 3 to create/,
    );
  });
});

describe('the parts of a notice', () => {
  it('names states and kinds in words', () => {
    expect([
      stateWords('rolledBack'),
      stateWords('rollingBack'),
      stateWords('failed'),
      stateWords(undefined),
    ]).toEqual(['rolled back', 'rolling back', 'failed', 'finished']);
    expect(
      planFacts({ initScripts: { create: 1 }, clusters: { unchanged: 3 }, jobs: { drift: 1, update: 1 } }),
    ).toEqual([
      { title: 'init scripts', value: '1 to create' },
      { title: 'jobs', value: '1 to update, 1 drifted' },
    ]);
  });

  it('sums the plan, an adopted object counting as an update, and says when nothing changes', () => {
    expect(planTotal({ notebooks: { create: 2, adopt: 1 }, jobs: { update: 1, delete: 4 } })).toBe(
      '2 to create, 2 to update, 4 to delete',
    );
    expect(planTotal({ notebooks: { unchanged: 9 } })).toBe('no changes');
  });

  it('states an open window with its end, a passed wait timer and a quorum', () => {
    expect(
      policyFacts({
        approvals: { needed: 3, received: 0 },
        window: { open: true, closesAt: '2026-12-05T22:00:00Z' },
        wait: { until: '2026-12-05T10:00:00Z', passed: true },
      }),
    ).toEqual([
      { title: 'Approvals', value: '0 of 3 received' },
      { title: 'Change window', value: 'open until 2026-12-05 22:00 UTC' },
      { title: 'Wait timer', value: 'passed' },
    ]);
  });

  it('clips text with an ellipsis, never half a surrogate pair, and turns control characters into spaces', () => {
    expect(noticeClip('abcdef', 4)).toBe('abc…');
    expect(noticeClip('ab😀cd', 4)).toBe('ab…');
    expect(noticeClip('a\u0000b\u001bc\nd', 10)).toBe('a b c\nd');
    expect(noticeClip('short', 10)).toBe('short');
  });
});

describe('noticePolicyOf', () => {
  it("copies a stage's quorum count and policy state down to what a notice shows", () => {
    expect(
      noticePolicyOf({
        approval: {
          required: true,
          quorum: 2,
          approvals: [{ approver: 'ana', decidedAt: '2026-12-05T10:00:00Z' }],
        },
        policies: {
          wait: { minutes: 30, until: '2026-12-05T11:00:00Z', passed: false },
          window: { text: 'Mon-Fri 18:00-22:00 UTC', open: false, opensAt: '2026-12-05T18:00:00Z' },
          externalChecks: {
            deadline: '2026-12-05T12:00:00Z',
            checks: [{ name: 'cab.example/gate', state: 'failing', message: 'CHG1 open', attempts: 3 }],
          },
        },
      }),
    ).toEqual({
      policy: {
        approvals: { needed: 2, received: 1 },
        wait: { until: '2026-12-05T11:00:00Z', passed: false },
        window: { text: 'Mon-Fri 18:00-22:00 UTC', open: false, opensAt: '2026-12-05T18:00:00Z' },
        externalChecks: { checks: [{ name: 'cab.example/gate', state: 'failing', message: 'CHG1 open' }] },
      },
    });
  });

  it('gives nothing for a stage with one approver and no policies', () => {
    expect(noticePolicyOf({ approval: { required: true } })).toEqual({});
    expect(noticePolicyOf({})).toEqual({});
  });
});
