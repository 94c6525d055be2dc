import { describe, expect, it } from 'vitest';
import type { Bundle } from '../../../src/manifest/Bundle';
import { computePlan } from '../../../src/planning/computePlan';
import type { PlanStep } from '../../../src/planning/DeployPlan';
import type { Ledger } from '../../../src/planning/Ledger';
import type { LiveState } from '../../../src/planning/LiveState';
import { basisOfSteps, checkStep, storedPlanOf, type ObjectBasis } from '../../../src/planning/PlanBasis';

const bundle: Bundle = {
  root: '/b',
  options: {
    notebookRoot: '/Shared/app',
    keepNotebookExtensions: false,
    initScriptTarget: 'workspace',
    initScriptRoot: '/Shared/init',
    clusterLifecycle: 'terminate',
    prune: false,
    authoritativePermissions: false,
  },
  secrets: [],
  policies: [],
  permissions: [],
  initScripts: [],
  clusters: [
    {
      key: 'clusters.Small',
      name: 'Small',
      source: 'clusters/small.json',
      spec: { cluster_name: 'Small', num_workers: 1 },
      sha256: 'c1',
    },
  ],
  notebooks: [
    {
      key: 'notebooks./Shared/app/a',
      target: '/Shared/app/a',
      source: 'notebooks/a.py',
      sha256: 'n1',
      size: 1,
      format: 'SOURCE',
      language: 'PYTHON',
    },
  ],
  files: [],
  jobs: [],
};
const ledger: Ledger = {
  version: 1,
  environment: 'qa',
  entries: { 'clusters.Small': { hash: 'c1', target: 'id-1', deployedAt: '2026-01-01T00:00:00Z' } },
};
const live = (numWorkers: number, state = 'TERMINATED'): LiveState => ({
  clusters: [
    {
      cluster_id: 'id-1',
      cluster_name: 'Small',
      state,
      spec: {
        cluster_id: 'id-1',
        cluster_name: 'Small',
        num_workers: numWorkers,
        state,
        default_tags: { x: '1' },
      },
    },
  ],
  jobs: [],
  workspaceObjects: { '/Shared/app': 'DIRECTORY' },
  dbfsFiles: {},
});
const noEffect = { ledgerHasPlannedHash: false, liveMatchesDesired: false };

describe('the basis of a plan', () => {
  const plan = computePlan(bundle, live(1), ledger);
  const basis = basisOfSteps(bundle, plan.steps, live(1), ledger);
  const step = (key: string): PlanStep => plan.steps.find((s) => s.key === key) as PlanStep;

  /** The Small cluster's stored step, checked against `now`, with no earlier attempt in the picture. */
  const checkSmall = (now: LiveState): ReturnType<typeof checkStep> =>
    checkStep(
      step('clusters.Small'),
      basis['clusters.Small'],
      basisOfSteps(bundle, plan.steps, now, ledger)['clusters.Small'] as ObjectBasis,
      noEffect,
    );

  it('records per key what the plan compared: cluster id and fields, file presence, the ledger entry', () => {
    expect(basis['clusters.Small']).toEqual({
      live: 'id id-1',
      fields: {
        cluster_name: expect.stringMatching(/^[0-9a-f]{16}$/),
        num_workers: expect.stringMatching(/^[0-9a-f]{16}$/),
      },
      ledger: 'c1 id-1 2026-01-01T00:00:00Z',
    });
    expect(basis['notebooks./Shared/app/a']).toEqual({ live: 'absent' });
  });

  it('is stable, and names the plan by steps and basis', () => {
    const a = storedPlanOf(plan, basis, '"etag-1"');
    const b = storedPlanOf(
      computePlan(bundle, live(1), ledger),
      basisOfSteps(bundle, plan.steps, live(1), ledger),
      '"etag-2"',
    );
    expect(a.planId).toMatch(/^[0-9a-f]{12}$/);
    expect(b.planId).toBe(a.planId);
    expect(storedPlanOf(plan, basisOfSteps(bundle, plan.steps, live(3), ledger), '"etag-1"').planId).not.toBe(
      a.planId,
    );
  });

  it('ignores what the plan did not compare: cluster state and server-filled fields', () => {
    expect(checkSmall(live(1, 'RUNNING'))).toBe('apply');
  });

  it('reports a resized cluster as drift, in words', () => {
    expect(checkSmall(live(4))).toEqual({
      drift: { was: 'id id-1 as planned', now: 'num_workers changed' },
    });
  });

  it('reports a file created by someone else as drift, unless the step makes it', () => {
    const appeared: LiveState = {
      ...live(1),
      workspaceObjects: { '/Shared/app': 'DIRECTORY', '/Shared/app/a': 'NOTEBOOK' },
    };
    const now = basisOfSteps(bundle, plan.steps, appeared, ledger)['notebooks./Shared/app/a'] as ObjectBasis;
    const create = step('notebooks./Shared/app/a');
    expect(checkStep({ ...create, action: 'unchanged' }, basis[create.key], now, noEffect)).toEqual({
      drift: { was: 'absent', now: 'NOTEBOOK' },
    });
    // A create whose file is there: an earlier attempt wrote it and died before the ledger write. Written again.
    expect(
      checkStep(create, basis[create.key], now, { ledgerHasPlannedHash: false, liveMatchesDesired: true }),
    ).toBe('apply');
  });

  it('skips what an earlier attempt wrote and recorded; a ledger moved by someone else is drift', () => {
    const moved: Ledger = {
      ...ledger,
      entries: {
        ...ledger.entries,
        'clusters.Small': { hash: 'c1', target: 'id-1', deployedAt: '2026-02-02T00:00:00Z' },
      },
    };
    const now = basisOfSteps(bundle, plan.steps, live(1), moved)['clusters.Small'] as ObjectBasis;
    const cluster = step('clusters.Small');
    expect(
      checkStep(cluster, basis[cluster.key], now, { ledgerHasPlannedHash: true, liveMatchesDesired: true }),
    ).toBe('done');
    expect(checkStep(cluster, basis[cluster.key], now, noEffect)).toEqual({
      drift: {
        was: 'ledger entry c1 id-1 2026-01-01T00:00:00Z',
        now: 'ledger entry c1 id-1 2026-02-02T00:00:00Z (deployed since the plan)',
      },
    });
  });

  it('refuses a step the approved plan does not have', () => {
    expect(checkStep(step('clusters.Small'), undefined, { live: 'absent' }, noEffect)).toEqual({
      drift: { was: 'not in the approved plan', now: 'to be applied' },
    });
  });
});

describe('the basis of a cluster that names its policy by name', () => {
  const named: Bundle = {
    ...bundle,
    clusters: [
      {
        ...bundle.clusters[0],
        spec: { cluster_name: 'Small', num_workers: 1, policy_name: 'small' },
      } as Bundle['clusters'][number],
    ],
  };
  const withPolicy = (policyId: string): LiveState => {
    const state = live(1);
    const cluster = state.clusters[0];
    if (cluster) cluster.spec = { ...cluster.spec, policy_id: policyId };
    return state;
  };

  it('watches the live policy_id, which a hand edit between the plan and the apply moves', () => {
    const plan = computePlan(named, withPolicy('P1'), ledger);
    const [planned] = Object.values(basisOfSteps(named, plan.steps, withPolicy('P1'), ledger));
    const [same] = Object.values(basisOfSteps(named, plan.steps, withPolicy('P1'), ledger));
    const [moved] = Object.values(basisOfSteps(named, plan.steps, withPolicy('P2'), ledger));
    expect(planned?.fields).toHaveProperty('policy_id');
    expect(same).toEqual(planned);
    expect(moved?.fields?.['policy_id']).not.toBe(planned?.fields?.['policy_id']);
  });
});
