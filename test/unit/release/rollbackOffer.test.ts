import { describe, expect, it } from 'vitest';
import type { ReleaseView } from '../../../src/release/releaseView';
import { knownGoodBefore, rollbackOffer, type RollbackBasis } from '../../../src/release/rollbackOffer';
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
    [
      'a ring by its own name',
      failed,
      'qa',
      { ring: true },
      /qa is a ring of workspaces: each workspace that applied the release has a rollback link of its own \(qa\.<target>\)/,
    ],
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

describe('rollbackOffer, for a workspace of a ring (by its target key)', () => {
  const ring: ReleaseView = {
    ...failed,
    stages: [
      {
        environment: 'prod',
        state: 'failed',
        message: 'prod.neu: check smoke_test failed: boom',
        phases: { apply: { startedAt: '2026-12-02T10:01:00.000Z' } },
        targets: [
          {
            target: 'prod.weu',
            state: 'succeeded',
            apply: { startedAt: '2026-12-02T10:01:00.000Z' },
            outcome: { done: 3, failed: 0, skipped: 0 },
          },
          { target: 'prod.neu', state: 'failed', checks: [], message: 'check smoke_test failed: boom' },
          { target: 'prod.eus', state: 'skipped', message: 'not started: prod.neu failed' },
          { target: 'prod.sea', state: 'failed', message: 'another release kept applying' },
        ],
      },
    ],
  };
  const targetOf = (key: string) => ring.stages?.[0]?.targets?.find((t) => t.target === key);

  it('offers each target that applied its own last known good, with its row', () => {
    expect(rollbackOffer(ring, 'prod.neu', basis)).toEqual({
      ok: true,
      stage: ring.stages?.[0],
      target: targetOf('prod.neu'),
      knownGood: KNOWN,
      failedBundleId: ring.bundleId,
    });
    expect(rollbackOffer(ring, 'prod.weu', basis)).toMatchObject({ ok: true, target: targetOf('prod.weu') });
  });

  it('offers a target that passed in the failed release (which recorded it) the known good it held before', () => {
    const recorded = {
      bundleId: ring.bundleId ?? '',
      releaseId: 'release-bad',
      at: '2026-12-02T10:02:00.000Z',
    };
    const offer = rollbackOffer(ring, 'prod.weu', { ...basis, knownGood: { ...recorded, previous: KNOWN } });
    expect(offer).toMatchObject({ ok: true, knownGood: KNOWN });
    // Recorded with none before it: nothing to roll back to.
    expect(rollbackOffer(ring, 'prod.weu', { ...basis, knownGood: recorded })).toMatchObject({
      ok: false,
      message: 'nothing to roll back to: no earlier bundle passed in prod.weu',
    });
  });

  it.each<[string, string, Partial<RollbackBasis>, RegExp]>([
    [
      'a target not started',
      'prod.eus',
      {},
      /prod\.eus did not apply in release release-bad, or prod did not fail/,
    ],
    ['a target that never applied', 'prod.sea', {}, /did not apply/],
    ['a target not in the release', 'prod.xyz', {}, /did not fail after deploying/],
    ['a ring that rolls back by itself', 'prod.neu', { mode: 'auto' }, /BRICKLANE_PROD_ROLLBACK=auto/],
    [
      'a target deployed since',
      'prod.neu',
      { newest: 'release-newer' },
      /release-newer has deployed to prod\.neu/,
    ],
  ])('refuses %s', (_name, key, change, message) => {
    const offer = rollbackOffer(ring, key, { ...basis, ...change });
    expect(offer.ok ? '' : offer.message).toMatch(message);
  });

  it('refuses a target of a ring that did not fail', () => {
    const passed = {
      ...ring,
      stages: [{ ...(ring.stages?.[0] ?? { environment: 'prod' }), state: 'succeeded' as const }],
    };
    expect(rollbackOffer(passed, 'prod.weu', basis).ok).toBe(false);
  });
});

describe('knownGoodBefore', () => {
  it('is the recorded known good, or the one before it when the release asked about recorded it', () => {
    const recorded = {
      ...KNOWN,
      releaseId: 'release-bad',
      previous: { ...KNOWN, releaseId: 'release-older' },
    };
    expect(knownGoodBefore(KNOWN, 'release-bad')).toBe(KNOWN);
    expect(knownGoodBefore(recorded, 'release-bad')).toEqual({ ...KNOWN, releaseId: 'release-older' });
    expect(knownGoodBefore({ ...recorded, previous: undefined }, 'release-bad')).toBeUndefined();
    expect(knownGoodBefore(undefined, 'release-bad')).toBeUndefined();
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
    // A ring's workspace by its target key: one rollback per failed release and workspace.
    expect(rollbackReleaseId('release-bad', 'prod.weu')).toBe('rollback-prod.weu-release-bad');
  });

  it('names the failed release by a hash when the readable id would not fit a link', () => {
    const long = rollbackReleaseId(`release-${'x'.repeat(120)}`, 'qa');
    expect(long).toMatch(/^rollback-qa-[0-9a-f]{24}$/);
    expect(rollbackReleaseId(`release-${'x'.repeat(120)}`, 'qa')).toBe(long);
    expect(rollbackReleaseId(`release-${'y'.repeat(120)}`, 'qa')).not.toBe(long);
  });
});
