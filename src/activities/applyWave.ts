// I/O (activity): applies one wave (or one batch of the files wave) to one environment.
// Each call re-plans its own slice against the live workspace and the ledger, so a retried or resumed
// batch skips what an earlier attempt already wrote. Step failures come back as data; errors that a
// retry can fix (ledger conflicts, outages) are thrown for the retry policy.
import type { Bundle } from '../manifest/Bundle';
import { computePlan } from '../planning/computePlan';
import type { PlanStep } from '../planning/DeployPlan';
import type { ApplyWaveInput, WaveResult } from './contracts';
import type { ApplyContext, StepOutcome } from './engine/ApplyContext';
import { applyClusterLifecycle } from './engine/applyClusterLifecycle';
import { applyClusters } from './engine/applyClusters';
import { applyFiles } from './engine/applyFiles';
import { applyJobs } from './engine/applyJobs';
import { applyPrune } from './engine/applyPrune';
import { appServices } from './engine/appServices';
import { connectForActivity } from './engine/connectForActivity';
import { requireStagedBundle } from './engine/loadStagedBundle';
import { readLiveState } from './engine/readLiveState';
import { updateLedger } from './engine/updateLedger';

const SHOWN_FAILURES = 20;

export async function applyWave(input: ApplyWaveInput): Promise<WaveResult> {
  const services = appServices();
  const bundle = await requireStagedBundle(services.releases, input.bundleId);
  const { client } = await connectForActivity(input.environment, { create: false });
  if (!client)
    throw new Error(`environment ${input.environment} has no workspace; provisionEnvironment runs first`);
  const stored = await services.ledger.read(input.environment);
  const ledger = { ...stored.ledger, entries: { ...stored.ledger.entries } };
  const slice = sliceOf(bundle, input);
  const live = await readLiveState(client, slice);
  const plan = computePlan(slice, live, ledger);
  const ctx: ApplyContext = {
    client,
    bundle: slice,
    ledger,
    now: () => new Date().toISOString(),
    concurrency: Math.max(services.settings.maxInFlight * 2, 8),
    clusterWaitTimeoutInMs: 20 * 60_000,
    clusterPollIntervalInMs: 5_000,
  };
  const steps = (...kinds: string[]): PlanStep[] =>
    plan.steps.filter((s) => s.action !== 'delete' && kinds.includes(s.kind));
  let outcomes: StepOutcome[] = [];
  try {
    switch (input.wave) {
      case 'initScripts':
        outcomes = await applyFiles(ctx, 'initScripts', steps('initScripts'), live);
        break;
      case 'files':
        outcomes = await applyFiles(ctx, 'notebooks', steps('notebooks', 'files'), live);
        break;
      case 'clusters':
        outcomes = await applyClusters(ctx, input.environment, steps('clusters'));
        break;
      case 'jobs': {
        const clusterIds = Object.fromEntries(steps('clusters').map((s) => [s.target, s.liveId]));
        outcomes = await applyJobs(ctx, steps('jobs'), clusterIds);
        break;
      }
      case 'lifecycle':
        outcomes = await applyClusterLifecycle(
          ctx,
          bundle.options.clusterLifecycle,
          (input.clusterIds ?? []).map((id) => ({
            key: `clusters.${id}`,
            action: 'update',
            status: 'done',
            id,
          })),
        );
        break;
      case 'prune':
        outcomes = await applyPrune(
          ctx,
          plan.steps.filter((s) => s.action === 'delete'),
        );
        break;
    }
  } finally {
    await updateLedger(services.ledger, stored.ledger, ledger);
  }
  const bad = outcomes.filter((o) => o.status !== 'done');
  return {
    wave: input.wave,
    batch: input.batch ?? 0,
    done: outcomes.length - bad.length,
    failed: bad.filter((o) => o.status === 'failed').length,
    skipped: bad.filter((o) => o.status === 'skipped').length,
    failures: bad.slice(0, SHOWN_FAILURES).map((o) => ({ key: o.key, message: o.message ?? o.status })),
    ...(input.wave === 'clusters'
      ? {
          touchedClusterIds: outcomes
            .filter((o) => o.status === 'done' && o.action !== 'unchanged' && o.id)
            .map((o) => o.id ?? ''),
        }
      : {}),
  };
}

/** The part of the bundle one wave (or batch) plans and applies. */
function sliceOf(bundle: Bundle, input: ApplyWaveInput): Bundle {
  const none = { initScripts: [], clusters: [], notebooks: [], files: [], jobs: [] };
  const options = { ...bundle.options, prune: input.wave === 'prune' };
  switch (input.wave) {
    case 'initScripts':
      return { ...bundle, ...none, options, initScripts: bundle.initScripts };
    case 'clusters':
    case 'lifecycle':
      return { ...bundle, ...none, options, clusters: bundle.clusters };
    case 'jobs':
      // Clusters are planned (not applied) so that jobs get their live ids.
      return { ...bundle, ...none, options, clusters: bundle.clusters, jobs: bundle.jobs };
    case 'files': {
      const size = input.batchSize ?? Number.MAX_SAFE_INTEGER;
      const start = (input.batch ?? 0) * size;
      const items = [...bundle.notebooks, ...bundle.files].sort((a, b) => (a.key < b.key ? -1 : 1));
      const mine = new Set(items.slice(start, start + size).map((i) => i.key));
      return {
        ...bundle,
        ...none,
        options,
        notebooks: bundle.notebooks.filter((n) => mine.has(n.key)),
        files: bundle.files.filter((f) => mine.has(f.key)),
      };
    }
    case 'prune':
      return { ...bundle, options };
  }
}
