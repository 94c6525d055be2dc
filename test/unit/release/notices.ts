// Test infrastructure: release notices of every kind a channel gets, one carrying every optional part, one
// whose untrusted texts try to make links and mentions, and one as large as anything can make it.
import type { ReleaseNotice } from '../../../src/release/ReleaseNotice';

const STATUS = 'https://bricklane.example/api/views/v1.status-token';
const APPROVE = 'https://bricklane.example/api/approvals/v1.approval-token';
const ROLLBACK = 'https://bricklane.example/api/rollbacks/v1.rollback-token';

/** An approval asked for, with everything a notice can show. */
export const approvalNeeded: ReleaseNotice = {
  kind: 'approvalNeeded',
  releaseId: 'rel-1a2b3c',
  environment: 'prod',
  expiresAt: '2026-12-08T10:00:00.000Z',
  source: {
    kind: 'github',
    repository: 'contoso/lakehouse',
    ref: 'refs/heads/main',
    commit: 'a'.repeat(40),
    requestedBy: 'octocat',
  },
  plan: {
    notebooks: { create: 3, update: 1, unchanged: 12 },
    jobs: { delete: 2 },
    clusters: { unchanged: 2 },
    files: { adopt: 1 },
  },
  diff: { files: 4, added: 120, removed: 8, uncounted: 0 },
  policy: {
    approvals: { needed: 2, received: 1 },
    window: { text: 'Mon-Fri 18:00-22:00 Europe/Berlin', open: false, opensAt: '2026-12-07T17:00:00.000Z' },
    wait: { until: '2026-12-07T12:00:00.000Z', passed: false },
    externalChecks: {
      checks: [
        { name: 'alerts.contoso.example/api/gate', state: 'passed' },
        { name: 'change.contoso.example/api/cab', state: 'failing', message: 'CHG0042 is not approved yet' },
      ],
    },
  },
  links: { status: STATUS, approve: APPROVE },
};

export const succeeded: ReleaseNotice = {
  kind: 'stageFinished',
  releaseId: 'rel-1a2b3c',
  environment: 'dev',
  state: 'succeeded',
  plan: { notebooks: { create: 3 } },
  links: { status: STATUS },
};

export const failed: ReleaseNotice = {
  kind: 'stageFinished',
  releaseId: 'rel-1a2b3c',
  environment: 'qa',
  state: 'failed',
  message: 'check smoke_test failed: assertion failed in cell 3',
  fix: 'bricklane validate artifacts',
  links: { status: STATUS },
};

export const rolledBack: ReleaseNotice = {
  kind: 'stageFinished',
  releaseId: 'rel-9f8e7d',
  environment: 'qa',
  state: 'rolledBack',
  message: 'check smoke_test failed; put back the bundle of release rel-1a2b3c',
  plan: { notebooks: { update: 2 } },
  links: { status: STATUS, rollback: ROLLBACK },
};

/** A ring's stage that failed with manual rollback: one rollback link per workspace that applied, six of them. */
export const ringFailed: ReleaseNotice = {
  kind: 'stageFinished',
  releaseId: 'rel-5e6f7a',
  environment: 'prod',
  state: 'failed',
  message: 'prod.t6: check smoke_test failed: boom',
  links: {
    status: STATUS,
    targetRollbacks: [1, 2, 3, 4, 5, 6].map((n) => ({
      target: `prod.t${n}`,
      url: `https://bricklane.example/api/rollbacks/v1.rollback-token-${n}`,
    })),
  },
};

/** The other ways a stage ends, which carry a message and nothing else. */
export const otherEnds: ReleaseNotice[] = (['rejected', 'expired', 'superseded'] as const).map((state) => ({
  kind: 'stageFinished',
  releaseId: 'rel-1a2b3c',
  environment: 'prod',
  state,
  message: `${state} by policy`,
  links: { status: STATUS },
}));

/** Untrusted text that, unescaped, would be a link or a mention in Teams or Slack. */
export const INJECTIONS = [
  '[Approve now](https://evil.example/a)',
  '<https://evil.example/b|Approve now>',
  '<!channel>',
  '<!here>',
  '<@U0123ABCD>',
  '<at>Everyone</at>',
  '![x](https://evil.example/c.png)',
  '<https://evil.example/d>',
];
const HOSTILE = INJECTIONS.join(' ');

/** Every untrusted text carries every injection. */
export const hostile: ReleaseNotice = {
  ...approvalNeeded,
  kind: 'stageFinished',
  state: 'failed',
  message: `job failed: ${HOSTILE}`,
  fix: `run ${HOSTILE}`,
  source: {
    kind: 'github',
    ref: `refs/heads/${HOSTILE}`,
    commit: 'b'.repeat(40),
    requestedBy: `@here ${HOSTILE}`,
  },
  policy: {
    externalChecks: { checks: [{ name: 'gate.contoso.example/x', state: 'failed', message: HOSTILE }] },
  },
  links: { status: STATUS, rollback: ROLLBACK },
};

/** As large as a notice gets: every text far past its bound, in the characters that grow most when escaped. */
export const huge: ReleaseNotice = {
  ...approvalNeeded,
  message: '&'.repeat(20_000) + '<>"\\'.repeat(10_000),
  fix: '😀'.repeat(20_000),
  source: { kind: 'manual', ref: '界'.repeat(10_000), requestedBy: '\u0001'.repeat(10_000) },
  plan: Object.fromEntries(
    (
      ['initScripts', 'policies', 'clusters', 'secrets', 'notebooks', 'files', 'jobs', 'permissions'] as const
    ).map((kind) => [
      kind,
      { create: 123_456_789, update: 987_654_321, delete: 555_555_555, adopt: 1, drift: 7 },
    ]),
  ),
  diff: { files: 99_999, added: 12_345_678, removed: 8_765_432, uncounted: 77 },
  policy: {
    approvals: { needed: 9, received: 8 },
    window: { text: '&'.repeat(5_000), open: true, closesAt: '2026-12-07T22:00:00.000Z' },
    wait: { until: '2026-12-07T12:00:00.000Z', passed: true },
    externalChecks: {
      checks: Array.from({ length: 500 }, (_, i) => ({
        name: `check-${i}.example/${'<'.repeat(1_000)}`,
        state: 'failed' as const,
        message: '>'.repeat(5_000),
      })),
    },
  },
};

/** Every kind of notice, named. */
export const ALL_NOTICES: [string, ReleaseNotice][] = [
  ['approval needed', approvalNeeded],
  ['succeeded', succeeded],
  ['failed', failed],
  ['rolled back', rolledBack],
  ['a ring failed', ringFailed],
  ...otherEnds.map((n): [string, ReleaseNotice] => [n.state ?? '', n]),
  ['hostile', hostile],
  ['huge', huge],
];
