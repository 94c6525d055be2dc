// I/O: applies a plan wave by wave: init scripts -> clusters -> notebooks and files -> jobs -> lifecycle
// -> pruning. A failed wave stops only what depends on it: clusters need their init scripts, jobs need
// their clusters and notebooks; notebooks depend on nothing and still deploy.
import type { DeployPlan, PlanStep } from '../../planning/DeployPlan';
import type { LiveState } from '../../planning/LiveState';
import type { ApplyContext, StepOutcome } from './ApplyContext';
import { applyClusterLifecycle } from './applyClusterLifecycle';
import { applyClusters } from './applyClusters';
import { applyFiles } from './applyFiles';
import { applyJobs } from './applyJobs';
import { applyPrune } from './applyPrune';

export interface ApplyResult {
  outcomes: StepOutcome[];
  failed: boolean;
}

export async function applyPlan(ctx: ApplyContext, plan: DeployPlan, live: LiveState): Promise<ApplyResult> {
  const of = (...kinds: string[]): PlanStep[] =>
    plan.steps.filter((s) => s.action !== 'delete' && kinds.includes(s.kind));
  const failedIn = (outcomes: readonly StepOutcome[]): boolean => outcomes.some((o) => o.status !== 'done');

  const initScripts = await applyFiles(ctx, 'initScripts', of('initScripts'), live);
  const clusters = failedIn(initScripts)
    ? skip(of('clusters'), 'an init script failed to deploy')
    : await applyClusters(ctx, plan.environment, of('clusters'));
  const files = await applyFiles(ctx, 'notebooks', of('notebooks', 'files'), live);

  const clusterIds: Record<string, string | undefined> = {};
  for (const c of ctx.bundle.clusters) clusterIds[c.name] = clusters.find((o) => o.key === c.key)?.id;
  const jobs =
    failedIn(clusters) || failedIn(files)
      ? skip(of('jobs'), 'a cluster or notebook it may use failed to deploy')
      : await applyJobs(ctx, of('jobs'), clusterIds);
  const lifecycle = await applyClusterLifecycle(ctx, ctx.bundle.options.clusterLifecycle, clusters);

  const before = [initScripts, clusters, files, jobs, lifecycle];
  const deletes = plan.steps.filter((s) => s.action === 'delete');
  const prune = before.some(failedIn)
    ? skip(deletes, 'the deploy had failures')
    : await applyPrune(ctx, deletes);
  const outcomes = [...before.flat(), ...prune];
  return { outcomes, failed: outcomes.some((o) => o.status !== 'done') };
}

function skip(steps: readonly PlanStep[], why: string): StepOutcome[] {
  return steps.map((s) => ({ key: s.key, action: s.action, status: 'skipped', message: `skipped: ${why}` }));
}
