// The secrets steps: created once, unchanged while the Key Vault version is the one the ledger recorded, one
// update when it changes; drift when a key went missing or the ACLs were changed by hand; extra keys shown.
import { describe, expect, it } from 'vitest';
import type { Bundle, SecretItem } from '../../../src/manifest/Bundle';
import { computePlan } from '../../../src/planning/computePlan';
import { emptyLedger, type Ledger } from '../../../src/planning/Ledger';
import { emptyLiveState, type LiveState } from '../../../src/planning/LiveState';
import { checkStep } from '../../../src/planning/PlanBasis';
import { planSecrets, secretBasisOf, secretEffectOf } from '../../../src/planning/planSecrets';

const secrets: SecretItem[] = [
  {
    type: 'scope',
    key: 'secrets.app',
    scope: 'app',
    source: 'secrets/app.json',
    acls: [{ principal: 'data-engineers', permission: 'READ' }],
    sha256: 'acl-hash',
  },
  {
    type: 'key',
    key: 'secrets.app/db-password',
    scope: 'app',
    name: 'db-password',
    vaultSecret: 'etl-db-password',
    source: 'secrets/app.json',
  },
];
const bundle = { secrets } as unknown as Bundle;

const deployedLive = (): LiveState => ({
  ...emptyLiveState(),
  secretScopes: {
    app: { keys: { 'db-password': 1 }, acls: { 'data-engineers': 'READ', 'sp@x': 'MANAGE' } },
  },
  vaultVersions: { 'etl-db-password': 'v1' },
});
const deployedLedger = (): Ledger => ({
  ...emptyLedger('dev'),
  entries: {
    'secrets.app': { hash: 'acl-hash', target: 'app', deployedAt: 't' },
    'secrets.app/db-password': { hash: 'v1', target: 'app/db-password', deployedAt: 't' },
  },
});
const actions = (live: LiveState, ledger: Ledger) =>
  Object.fromEntries(planSecrets(bundle, live, ledger).steps.map((s) => [s.key, [s.action, s.drift]]));

describe('planSecrets', () => {
  it('creates scope and key on a workspace without them', () => {
    const live = {
      ...emptyLiveState(),
      secretScopes: { app: null },
      vaultVersions: { 'etl-db-password': 'v1' },
    };
    const plan = planSecrets(bundle, live, emptyLedger('dev'));
    expect(plan.steps.map((s) => [s.key, s.action, s.target])).toEqual([
      ['secrets.app', 'create', 'app'],
      ['secrets.app/db-password', 'create', 'app/db-password'],
    ]);
    expect(plan.steps[0]?.diff).toEqual([{ path: 'acls.data-engineers', after: 'READ' }]);
  });

  it('changes nothing while the Key Vault version is the recorded one (ACL entries it did not declare are kept)', () => {
    expect(actions(deployedLive(), deployedLedger())).toEqual({
      'secrets.app': ['unchanged', undefined],
      'secrets.app/db-password': ['unchanged', undefined],
    });
  });

  it('updates exactly the key whose Key Vault version changed', () => {
    const live = { ...deployedLive(), vaultVersions: { 'etl-db-password': 'v2' } };
    expect(actions(live, deployedLedger())).toEqual({
      'secrets.app': ['unchanged', undefined],
      'secrets.app/db-password': ['update', undefined],
    });
  });

  it('shows a key deleted by hand and an ACL changed by hand as drift', () => {
    const live = deployedLive();
    live.secretScopes = { app: { keys: {}, acls: { 'data-engineers': 'WRITE' } } };
    expect(actions(live, deployedLedger())).toEqual({
      'secrets.app': ['update', 'changed outside bricklane: acls'],
      'secrets.app/db-password': ['create', 'deleted outside bricklane'],
    });
  });

  it('names keys that neither the bundle nor the ledger knows, and keeps them', () => {
    const live = deployedLive();
    live.secretScopes = {
      app: { keys: { 'db-password': 1, 'hand-made': 2 }, acls: { 'data-engineers': 'READ' } },
    };
    const plan = planSecrets(bundle, live, deployedLedger());
    expect(plan.steps.every((s) => s.action === 'unchanged')).toBe(true);
    expect(plan.warnings).toEqual([expect.stringContaining('secret scope app holds hand-made')]);
  });

  it('copies nothing without a vault (token mode), and says so in the plan', () => {
    const plan = planSecrets(
      bundle,
      { ...emptyLiveState(), secretScopes: { app: null } },
      emptyLedger('dev'),
    );
    expect(plan.steps).toEqual([]);
    expect(plan.warnings).toEqual([
      expect.stringContaining('secrets/app.json: secrets are not copied to dev'),
    ]);
  });

  it('puts no Key Vault version and no value into the plan, only names', () => {
    const live = { ...deployedLive(), vaultVersions: { 'etl-db-password': 'v2-version-id' } };
    // Every item list empty but the secrets (whatever kinds the bundle has besides).
    const full = { ...computePlanInput(), secrets };
    const plan = computePlan(full as unknown as Bundle, live, deployedLedger());
    expect(JSON.stringify(plan)).not.toContain('v2-version-id');
    expect(plan.summary.secrets).toMatchObject({ update: 1, unchanged: 1 });
  });
  it('writes a secret again when a retried batch finds it written but not recorded, and stops on a new version', () => {
    const key = secrets[1] as SecretItem;
    const before = {
      ...emptyLiveState(),
      secretScopes: { app: null },
      vaultVersions: { 'etl-db-password': 'v1' },
    };
    const [step] = planSecrets(bundle, before, emptyLedger('dev')).steps.slice(1);
    if (!step) throw new Error('no key step');
    const planned = { live: secretBasisOf(key, before) };
    // The put went through and the worker died before the ledger write: present now, same version.
    const written = { ...deployedLive(), vaultVersions: { 'etl-db-password': 'v1' } };
    const effect = secretEffectOf(key, written, emptyLedger('dev'));
    expect(effect).toEqual({ ledgerHasPlannedHash: false, liveMatchesDesired: true });
    expect(checkStep(step, planned, { live: secretBasisOf(key, written) }, effect)).toBe('apply');
    // Rotated between plan and apply: what was approved is not what would be written.
    const rotated = { ...before, vaultVersions: { 'etl-db-password': 'v2' } };
    const moved = checkStep(
      step,
      planned,
      { live: secretBasisOf(key, rotated) },
      secretEffectOf(key, rotated, emptyLedger('dev')),
    );
    expect(moved).toEqual({
      drift: {
        was: 'absent, Key Vault etl-db-password version v1',
        now: 'absent, Key Vault etl-db-password version v2',
      },
    });
  });
});

/** A bundle with no items: every list the plan reads, empty. */
function computePlanInput(): Record<string, unknown> {
  const lists = ['initScripts', 'policies', 'clusters', 'notebooks', 'files', 'jobs', 'permissions'];
  return { ...Object.fromEntries(lists.map((k) => [k, []])), options: { prune: false } };
}
