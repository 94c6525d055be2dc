// I/O: applies a plan in process (the CLI), walking the one list of waves (planning/waves.ts): a failed
// wave stops only what depends on it. The durable path walks the same list in deployEnvironment.
import type { DeployPlan } from '../../planning/DeployPlan';
import type { LiveState } from '../../planning/LiveState';
import { decideWave, stepsOfWave, WAVES, type WaveTally } from '../../planning/waves';
import type { ApplyContext, StepOutcome } from './ApplyContext';
import { skipSteps, WAVE_APPLIERS } from './waveAppliers';

export interface ApplyResult {
  outcomes: StepOutcome[];
  failed: boolean;
}

export async function applyPlan(ctx: ApplyContext, plan: DeployPlan, live: LiveState): Promise<ApplyResult> {
  const tallies: WaveTally[] = [];
  const outcomes: StepOutcome[] = [];
  let clusterOutcomes: StepOutcome[] = [];
  for (const wave of WAVES) {
    const steps = stepsOfWave(plan.steps, wave);
    const hasWork = wave.applies === 'touchedClusters' ? clusterOutcomes.length > 0 : steps.length > 0;
    const decision = decideWave(wave, hasWork, tallies);
    const clusterIds = Object.fromEntries(
      ctx.bundle.clusters.map((c) => [c.name, idOf(clusterOutcomes, c.key)]),
    );
    const done = decision.run
      ? await WAVE_APPLIERS[wave.name](ctx, { steps, live, clusterIds, clusterOutcomes })
      : skipSteps(steps, decision.skip ?? '');
    if (wave.name === 'clusters') clusterOutcomes = done;
    tallies.push({
      wave: wave.name,
      failed: done.filter((o) => o.status === 'failed').length,
      skipped: done.filter((o) => o.status === 'skipped').length,
    });
    outcomes.push(...done);
  }
  return { outcomes, failed: outcomes.some((o) => o.status !== 'done') };
}

function idOf(outcomes: readonly StepOutcome[], key: string): string | undefined {
  return outcomes.find((o) => o.key === key)?.id;
}
