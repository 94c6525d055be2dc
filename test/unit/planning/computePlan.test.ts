import { describe, expect, it } from 'vitest';
import type { Bundle, ClusterItem, JobItem, NotebookItem } from '../../../src/manifest/Bundle';
import { sha256OfJson } from '../../../src/manifest/sha256OfJson';
import { computePlan } from '../../../src/planning/computePlan';
import { PRUNE_WAVE, WAVE_OF_KIND } from '../../../src/planning/waves';
import type { Ledger } from '../../../src/planning/Ledger';
import { emptyLedger } from '../../../src/planning/Ledger';
import type { LiveState } from '../../../src/planning/LiveState';
import { emptyLiveState } from '../../../src/planning/LiveState';

const spec = {
  cluster_name: 'Small',
  spark_version: '15.4.x-scala2.12',
  node_type_id: 'Standard_DS3_v2',
  num_workers: 1,
};
const cluster: ClusterItem = {
  key: 'clusters.Small',
  name: 'Small',
  source: 'clusters/small.json',
  spec,
  sha256: sha256OfJson(spec),
};
const jobSettings = {
  name: 'nightly',
  tasks: [
    {
      task_key: 'main',
      existing_cluster_name: 'Small',
      notebook_task: { notebook_path: '/Shared/bricklane/etl/ingest' },
    },
  ],
};
const job: JobItem = {
  key: 'jobs.nightly',
  name: 'nightly',
  source: 'jobs/nightly.json',
  settings: jobSettings,
  clusterRefs: ['Small'],
  sha256: sha256OfJson(jobSettings),
};
const notebook: NotebookItem = {
  key: 'notebooks./Shared/bricklane/etl/ingest',
  source: 'notebooks/etl/ingest.py',
  sha256: 'a'.repeat(64),
  size: 10,
  target: '/Shared/bricklane/etl/ingest',
  format: 'SOURCE',
  language: 'PYTHON',
};
const bundle: Bundle = {
  root: '/tmp/bundle',
  options: {
    notebookRoot: '/Shared/bricklane',
    keepNotebookExtensions: false,
    initScriptTarget: 'workspace',
    initScriptRoot: '/Shared/bricklane/init-scripts',
    clusterLifecycle: 'terminate',
    prune: false,
    authoritativePermissions: false,
  },
  secrets: [],
  policies: [],
  permissions: [],
  initScripts: [],
  clusters: [cluster],
  notebooks: [notebook],
  files: [],
  jobs: [job],
};
// What resolveJobSettings sends: ids for cluster names, and `queue` set (off when the bundle says nothing).
const resolvedJob = {
  ...jobSettings,
  tasks: [
    { task_key: 'main', existing_cluster_id: 'c-1', notebook_task: jobSettings.tasks[0]?.notebook_task },
  ],
  queue: { enabled: false },
};

function deployedLedger(): Ledger {
  return {
    version: 1,
    environment: 'dev',
    entries: {
      [cluster.key]: { hash: cluster.sha256, target: 'c-1', deployedAt: 't' },
      [notebook.key]: { hash: notebook.sha256, target: notebook.target, deployedAt: 't' },
      [job.key]: { hash: sha256OfJson(resolvedJob), target: '7', deployedAt: 't' },
    },
  };
}
function deployedLive(): LiveState {
  return {
    clusters: [
      {
        cluster_id: 'c-1',
        cluster_name: 'Small',
        state: 'RUNNING',
        spec: { ...spec, cluster_id: 'c-1', autotermination_minutes: 120 },
      },
    ],
    jobs: [
      {
        job_id: 7,
        name: 'nightly',
        settings: { ...resolvedJob, format: 'MULTI_TASK', max_concurrent_runs: 1 },
      },
    ],
    workspaceObjects: { '/Shared/bricklane/etl': 'DIRECTORY', [notebook.target]: 'NOTEBOOK' },
    dbfsFiles: {},
  };
}
const actions = (l: LiveState, led: Ledger, b: Bundle = bundle): Record<string, string> =>
  Object.fromEntries(computePlan(b, l, led).steps.map((s) => [s.key, s.action + (s.drift ? '+drift' : '')]));

describe('computePlan', () => {
  it('plans everything as create on an empty workspace, in wave order', () => {
    const plan = computePlan(bundle, emptyLiveState(), emptyLedger('dev'));
    expect(plan.steps.map((s) => [s.key, s.action, s.wave])).toEqual([
      ['clusters.Small', 'create', WAVE_OF_KIND.clusters],
      [notebook.key, 'create', WAVE_OF_KIND.notebooks],
      ['jobs.nightly', 'create', WAVE_OF_KIND.jobs],
    ]);
    expect(plan.summary.notebooks).toEqual({ create: 1, update: 0, unchanged: 0, delete: 0, drift: 0 });
  });

  it('plans nothing to do when ledger and live match (API defaults on live objects are ignored)', () => {
    expect(actions(deployedLive(), deployedLedger())).toEqual({
      'clusters.Small': 'unchanged',
      [notebook.key]: 'unchanged',
      'jobs.nightly': 'unchanged',
    });
  });

  it.each([
    {
      name: 'a changed notebook hash is an update',
      mutate: (_l: LiveState, led: Ledger) => {
        (led.entries[notebook.key] as { hash: string }).hash = 'b'.repeat(64);
      },
      expected: { [notebook.key]: 'update' },
    },
    {
      name: 'a notebook deleted outside bricklane is re-created and reported as drift',
      mutate: (l: LiveState) => {
        delete l.workspaceObjects?.[notebook.target];
      },
      expected: { [notebook.key]: 'create+drift' },
    },
    {
      name: 'a cluster edited outside bricklane is drift',
      mutate: (l: LiveState) => {
        (l.clusters[0] as { spec: Record<string, unknown> }).spec.num_workers = 8;
      },
      expected: { 'clusters.Small': 'update+drift' },
    },
    {
      name: 'a cluster missing live is re-created, and its job must be reset with the new id',
      mutate: (l: LiveState) => {
        l.clusters = [];
      },
      expected: { 'clusters.Small': 'create+drift', 'jobs.nightly': 'update' },
    },
    {
      name: 'a job renamed outside bricklane is found by its ledger id and reset (drift)',
      mutate: (l: LiveState) => {
        (l.jobs[0] as { settings: Record<string, unknown> }).settings.max_concurrent_runs = 1;
        (l.jobs[0] as { settings: Record<string, unknown> }).settings.name = 'renamed';
      },
      expected: { 'jobs.nightly': 'update+drift' },
    },
    {
      // Issue 10: a notebook bricklane did not deploy is never overwritten as a plain update.
      name: 'without a ledger, a live cluster with the same spec is unchanged and a live notebook is adopted',
      mutate: (_l: LiveState, led: Ledger) => {
        led.entries = {};
      },
      expected: { 'clusters.Small': 'unchanged', [notebook.key]: 'adopt', 'jobs.nightly': 'unchanged' },
    },
  ])('$name', ({ mutate, expected }) => {
    const live = deployedLive();
    const ledger = deployedLedger();
    mutate(live, ledger);
    const got = actions(live, ledger);
    expect(got).toMatchObject(expected);
    for (const [k, v] of Object.entries(got)) if (!(k in expected)) expect(v, k).toBe('unchanged');
  });

  it('marks a file in the workspace that is not in the ledger "adopt", says why, and counts it apart', () => {
    const { [notebook.key]: _notDeployed, ...entries } = deployedLedger().entries;
    const ledger = { ...deployedLedger(), entries };
    const plan = computePlan(bundle, deployedLive(), ledger);
    expect(plan.steps.find((s) => s.key === notebook.key)).toMatchObject({
      action: 'adopt',
      reason: expect.stringContaining('bricklane did not deploy it'),
    });
    expect(plan.summary.notebooks).toMatchObject({ adopt: 1, update: 0, create: 0 });
    expect(plan.summary.clusters.adopt).toBeUndefined();
  });

  it('lists ledger entries the bundle no longer has as deletes only when prune is on', () => {
    const ledger = deployedLedger();
    ledger.entries['jobs.old'] = { hash: 'x', target: '9', deployedAt: 't' };
    expect(actions(deployedLive(), ledger)).not.toHaveProperty('jobs.old');
    const pruning = { ...bundle, options: { ...bundle.options, prune: true } };
    const plan = computePlan(pruning, deployedLive(), ledger);
    expect(plan.steps.at(-1)).toMatchObject({
      key: 'jobs.old',
      action: 'delete',
      wave: PRUNE_WAVE,
      liveId: '9',
    });
  });
});
