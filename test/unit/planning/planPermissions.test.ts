import { describe, expect, it } from 'vitest';
import type { PermissionsItem } from '../../../src/manifest/Bundle';
import { sha256OfJson } from '../../../src/manifest/sha256OfJson';
import { emptyLedger, type Ledger } from '../../../src/planning/Ledger';
import { emptyLiveState, type LivePermissions, type LiveState } from '../../../src/planning/LiveState';
import { planPermissions } from '../../../src/planning/planPermissions';

const entries = [
  { group_name: 'analysts', permission_level: 'CAN_VIEW' },
  { group_name: 'engineers', permission_level: 'CAN_MANAGE_RUN' },
];
const item = (authoritative = false): PermissionsItem => ({
  key: 'permissions.jobs.etl',
  object: 'jobs.etl',
  objectType: 'jobs',
  target: 'etl',
  source: 'jobs/etl.json',
  entries,
  authoritative,
  sha256: sha256OfJson({ entries, authoritative }),
});
const owner = { user_name: 'deployer@example.com', permission_level: 'IS_OWNER' };
const liveWith = (direct: LivePermissions['direct']): LiveState => ({
  ...emptyLiveState(),
  permissions: { 'permissions.jobs.etl': { objectType: 'jobs', objectId: '7', direct } },
});
const recorded = (i: PermissionsItem): Ledger => ({
  ...emptyLedger('dev'),
  entries: { [i.key]: { hash: i.sha256, target: 'jobs/7', deployedAt: 't' } },
});

describe('planPermissions', () => {
  it('creates the list of an object not deployed yet', () => {
    expect(planPermissions(item(), emptyLiveState(), emptyLedger('dev'))).toMatchObject({
      action: 'create',
      kind: 'permissions',
      target: 'jobs etl',
    });
  });

  it("is unchanged when every declared entry is live; the owner is not someone else's entry", () => {
    const step = planPermissions(item(), liveWith([owner, ...entries]), recorded(item()));
    expect(step).toMatchObject({ action: 'unchanged', liveId: 'jobs/7' });
    expect(step.drift).toBeUndefined();
  });

  it('shows an entry added by hand as drift and keeps it (no write)', () => {
    const step = planPermissions(
      item(),
      liveWith([owner, ...entries, { user_name: 'eve@example.com', permission_level: 'CAN_MANAGE' }]),
      recorded(item()),
    );
    expect(step.action).toBe('unchanged');
    expect(step.drift).toBe(
      'added outside bricklane: user eve@example.com CAN_MANAGE (kept: bricklane manages only the entries it declares)',
    );
  });

  it('replaces an entry added by hand when the list is authoritative', () => {
    const i = item(true);
    const step = planPermissions(
      i,
      liveWith([owner, ...entries, { user_name: 'eve@example.com', permission_level: 'CAN_MANAGE' }]),
      recorded(i),
    );
    expect(step).toMatchObject({ action: 'update', changes: ['access_control_list'] });
    expect(step.drift).toMatch(/removed: the list is authoritative/);
    expect(step.diff).toEqual([{ path: 'access_control_list.user eve@example.com', before: 'CAN_MANAGE' }]);
  });

  it('grants a declared entry that is missing or at another level (PATCH), drift when it was deployed', () => {
    const step = planPermissions(
      item(),
      liveWith([owner, { group_name: 'analysts', permission_level: 'CAN_MANAGE' }, entries[1] ?? owner]),
      recorded(item()),
    );
    expect(step).toMatchObject({ action: 'update', reason: 'grant group analysts CAN_VIEW (PATCH)' });
    expect(step.drift).toBe('changed outside bricklane: group analysts CAN_VIEW missing');
    const fresh = planPermissions(item(), liveWith([owner]), emptyLedger('dev'));
    expect(fresh).toMatchObject({ action: 'update' });
    expect(fresh.drift).toBeUndefined();
  });
});
