import { describe, expect, it } from 'vitest';
import type { PolicyItem } from '../../../src/manifest/Bundle';
import { emptyLedger } from '../../../src/planning/Ledger';
import { emptyLiveState, type LiveState } from '../../../src/planning/LiveState';
import { planPolicy } from '../../../src/planning/planPolicy';

const definition = { num_workers: { type: 'range', maxValue: 4 } };
const policy: PolicyItem = {
  key: 'policies.small',
  name: 'small',
  source: 'policies/small.json',
  spec: { name: 'small', definition: JSON.stringify(definition), max_clusters_per_user: 2 },
  definition,
  sha256: 'h1',
};
const live = (spec: Record<string, unknown>): LiveState => ({
  ...emptyLiveState(),
  policies: [{ policy_id: 'P1', name: 'small', spec: { policy_id: 'P1', creator_user_name: 'x', ...spec } }],
});

describe('planPolicy', () => {
  it('creates a new policy', () => {
    expect(planPolicy(policy, emptyLiveState(), emptyLedger('dev'))).toMatchObject({
      action: 'create',
      kind: 'policies',
    });
  });

  it('compares definitions parsed: the service formatting it its own way is no change', () => {
    const step = planPolicy(
      policy,
      live({ ...policy.spec, definition: JSON.stringify(definition, null, 4) }),
      emptyLedger('dev'),
    );
    expect(step).toMatchObject({ action: 'unchanged', liveId: 'P1' });
  });

  it('one field changed is one update of that field; a rule added by hand is a change of the definition', () => {
    expect(
      planPolicy(policy, live({ ...policy.spec, max_clusters_per_user: 5 }), emptyLedger('dev')),
    ).toMatchObject({
      action: 'update',
      changes: ['max_clusters_per_user'],
    });
    const added = JSON.stringify({
      ...definition,
      spark_version: { type: 'fixed', value: '15.4.x-scala2.12' },
    });
    const ledger = {
      ...emptyLedger('dev'),
      entries: { 'policies.small': { hash: 'h1', target: 'P1', deployedAt: 't' } },
    };
    expect(planPolicy(policy, live({ ...policy.spec, definition: added }), ledger)).toMatchObject({
      action: 'update',
      changes: ['definition'],
      drift: 'changed outside bricklane: definition',
    });
  });
});
