// I/O: one applier per wave of planning/waves.ts, so that the durable activity (applyWave) and the CLI
// (applyPlan) dispatch a wave the same way. A new resource kind adds its wave there and its applier here.
import type { PlanStep } from '../../planning/DeployPlan';
import type { LiveState } from '../../planning/LiveState';
import type { WaveName } from '../../planning/waves';
import type { ApplyContext, StepOutcome } from './ApplyContext';
import { applyClusterLifecycle } from './applyClusterLifecycle';
import { applyClusters } from './applyClusters';
import { applyFiles } from './applyFiles';
import { applyInitScripts } from './applyInitScripts';
import { applyJobs } from './applyJobs';
import { applyPermissions } from './applyPermissions';
import { applyPolicies } from './applyPolicies';
import { applyPrune } from './applyPrune';
import { applySecrets } from './applySecrets';

/** What one wave applies: its steps, the live state it read, and what earlier waves produced. */
export interface WaveWork {
  steps: readonly PlanStep[];
  live: LiveState;
  /** Cluster name -> live id (jobs wave). */
  clusterIds: Readonly<Record<string, string | undefined>>;
  /** Outcomes of the clusters wave (lifecycle wave: only the clusters it created or edited are touched). */
  clusterOutcomes: readonly StepOutcome[];
}

export const WAVE_APPLIERS: Record<WaveName, (ctx: ApplyContext, work: WaveWork) => Promise<StepOutcome[]>> =
  {
    initScripts: (ctx, w) => applyInitScripts(ctx, w.steps, w.live),
    policies: (ctx, w) => applyPolicies(ctx, w.steps),
    clusters: (ctx, w) => applyClusters(ctx, ctx.ledger.environment, w.steps, w.live),
    secrets: (ctx, w) => applySecrets(ctx, w.steps, w.live),
    files: (ctx, w) => applyFiles(ctx, 'notebooks', w.steps, w.live),
    jobs: (ctx, w) => applyJobs(ctx, w.steps, w.clusterIds),
    permissions: (ctx, w) => applyPermissions(ctx, w.steps),
    lifecycle: (ctx, w) => applyClusterLifecycle(ctx, ctx.bundle.options.clusterLifecycle, w.clusterOutcomes),
    prune: (ctx, w) => applyPrune(ctx, w.steps),
  };

/** Steps held back because a wave they depend on did not go through. */
export function skipSteps(steps: readonly PlanStep[], why: string): StepOutcome[] {
  return steps.map((s) => ({ key: s.key, action: s.action, status: 'skipped', message: `skipped: ${why}` }));
}
