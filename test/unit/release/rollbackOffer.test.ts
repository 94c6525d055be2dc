import { describe, expect, it } from 'vitest';
import type { ReleaseView } from '../../../src/release/releaseView';
import { rollbackOffer, type RollbackBasis } from '../../../src/release/rollbackOffer';
import { rollbackInputFor, rollbackReleaseId } from '../../../src/release/rollbackInputFor';

const KNOWN = { bundleId: 'b'.repeat(64), releaseId: 'release-good', at: '2026-12-01T10:00:00.000Z' };
const failed: ReleaseView = {
  releaseId: 'release-bad',
  bundleId: 'f'.repeat(64),
  runtimeStatus: 'Completed',
  createdTime: '2026-12-02T10:00:00Z',
  lastUpdatedTime: '2026-12-02T10:05:00Z',
  state: 'failed',
  startedAt: '2026-12-02T10:00:00.000Z',
  stages: [
    { environment: 'dev', state: 'succeeded' },
    {
      environment: 'qa',
      state: 'failed',
      message: 'check smoke_test failed: boom',
      phases: { apply: { startedAt: '2026-12-02T10:01:00.000Z' } },
      checks: [],
    },
  ],
};
const basis: RollbackBasis = { mode: 'manual', knownGood: KNOWN, newest: 'release-bad' };

describe('rollbackOffer', () => {
  it('offers the last known good of an environment that failed after deploying, while nothing applied since', () => {
    expect(rollbackOffer(failed, 'qa', basis)).toEqual({
      ok: true,
      stage: failed.stages?.[1],
      knownGood: KNOWN,
      failedBundleId: failed.bundleId,
    });
  });

  const qa = failed.stages?.[1] ?? { environment: 'qa', state: 'failed' };
  it.each<[string, ReleaseView, string, Partial<RollbackBasis>, RegExp]>([
    ['a running release', { ...failed, runtimeStatus: 'Running' }, 'qa', {}, /is still running/],
    ['an environment that did not fail', failed, 'dev', {}, /dev did not fail after deploying/],
    [
      'a stage that failed before deploying',
      { ...failed, stages: [{ environment: 'qa', state: 'failed', message: 'plan failed' }] },
      'qa',
      {},
      /did not fail after deploying/,
    ],
    ['an environment no longer configured', failed, 'qa', { mode: undefined }, /no longer configured/],
    ['automatic rollback', failed, 'qa', { mode: 'auto' }, /BRICKLANE_QA_ROLLBACK=auto/],
    ['a ring', failed, 'qa', { ring: true }, /ring of workspaces/],
    ['no known good', failed, 'qa', { knownGood: undefined }, /nothing to roll back to/],
    [
      'the failed bundle as the known good',
      failed,
      'qa',
      { knownGood: { ...KNOWN, bundleId: failed.bundleId ?? '' } },
      /nothing to roll back to/,
    ],
    [
      'a release applied since',
      failed,
      'qa',
      { newest: 'release-newer' },
      /release-newer has deployed to qa since/,
    ],
    ['no apply recorded at all', failed, 'qa', { newest: undefined }, /another release has deployed/],
  ])('refuses %s', (_name, release, environment, change, message) => {
    const offer = rollbackOffer(release, environment, { ...basis, ...change });
    expect(offer.ok).toBe(false);
    expect(offer.ok ? '' : offer.message).toMatch(message);
  });

  it('offers after a failed apply (outcome, no checks) as after failed checks', () => {
    const applied = { ...qa, phases: {}, checks: undefined, outcome: { done: 1, failed: 1, skipped: 0 } };
    expect(rollbackOffer({ ...failed, stages: [applied] }, 'qa', basis).ok).toBe(true);
  });
});

describe('rollbackInputFor', () => {
  it('deploys the known good to the one environment, with no approval, ordered as the failed release', () => {
    const input = rollbackInputFor({
      failed: { releaseId: 'release-bad', startedAt: '2026-12-02T10:00:00.000Z' },
      environment: 'qa',
      knownGood: KNOWN,
      requestedBy: 'ops@contoso.example',
    });
    expect(input).toEqual({
      releaseId: 'rollback-qa-release-bad',
      bundleId: KNOWN.bundleId,
      source: { kind: 'manual', requestedBy: 'ops@contoso.example' },
      environments: ['qa'],
      approvals: { qa: { required: false, timeoutInHours: 1 } },
      rollback: {
        of: 'release-bad',
        orderedAt: '2026-12-02T10:00:00.000Z',
        knownGood: { bundleId: KNOWN.bundleId, releaseId: 'release-good' },
        reason: 'release release-bad failed in qa; rollback confirmed by ops@contoso.example',
      },
    });
    // One rollback per failed release and environment, whoever clicks.
    expect(rollbackReleaseId('release-bad', 'qa')).toBe(input.releaseId);
    expect(rollbackReleaseId('release-bad', 'prod')).not.toBe(input.releaseId);
  });

  it('names the failed release by a hash when the readable id would not fit a link', () => {
    const long = rollbackReleaseId(`release-${'x'.repeat(120)}`, 'qa');
    expect(long).toMatch(/^rollback-qa-[0-9a-f]{24}$/);
    expect(rollbackReleaseId(`release-${'x'.repeat(120)}`, 'qa')).toBe(long);
    expect(rollbackReleaseId(`release-${'y'.repeat(120)}`, 'qa')).not.toBe(long);
  });
});
