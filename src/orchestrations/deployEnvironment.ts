// Deterministic: one environment: provision (unless the plan has just found the workspace), then the waves
// of planning/waves.ts in order (init scripts -> clusters -> notebooks and files in parallel batches -> jobs
// -> cluster lifecycle -> pruning), leaving out those the plan has nothing for. Each wave is one activity or
// a few batches, so history grows with the number of batches, not files. A failed wave stops only what
// depends on it.
import type * as df from 'durable-functions';
import {
  ACTIVITIES,
  type ApplyWaveInput,
  type DeployEnvironmentInput,
  type DeployEnvironmentResult,
  type EnvironmentTimings,
  type ProvisionResult,
  type WaveResult,
} from '../activities/contracts';
import { decideWave, WAVES, type Wave } from '../planning/waves';
import { callStep, StepFailed, stepResult } from './callStep';
import { retryPolicy } from './retryPolicy';

export function* deployEnvironment(
  context: df.OrchestrationContext,
): Generator<df.Task, DeployEnvironmentResult, unknown> {
  // Filled as the steps end (the spans that ended before a failure are kept too).
  const timings: EnvironmentTimings = { waves: [] };
  try {
    return yield* applyWaves(context, context.df.getInput<DeployEnvironmentInput>(), timings);
  } catch (error) {
    // A step failed permanently: the environment stops there and the result carries the failure, which
    // deployRelease routes like its own steps' (a sub-orchestration's exception would reach it as text).
    if (!(error instanceof StepFailed)) throw error;
    return { failure: error.failure, done: 0, failed: 0, skipped: 0, failures: [], created: [], timings };
  }
}

function* applyWaves(
  context: df.OrchestrationContext,
  input: DeployEnvironmentInput,
  timings: EnvironmentTimings,
): Generator<df.Task, DeployEnvironmentResult, unknown> {
  // The orchestration's clock only: it is the same on every replay (Date.now() would not be).
  // https://learn.microsoft.com/azure/azure-functions/durable/durable-functions-code-constraints#dates-and-times
  const now = (): string => context.df.currentUtcDateTime.toISOString();
  const ref = { releaseId: input.releaseId, bundleId: input.bundleId, environment: input.environment };
  const results: WaveResult[] = [];
  const plan = input.planId === undefined ? {} : { planId: input.planId };
  const call = (w: Omit<ApplyWaveInput, keyof typeof ref>): df.Task =>
    context.df.callActivityWithRetry(ACTIVITIES.applyWave, retryPolicy(), { ...ref, ...plan, ...w });

  let provision: ProvisionResult = { workspaceUrl: '', created: [] };
  if (!input.workspaceExists) {
    const provisionFrom = now();
    provision = yield* callStep<ProvisionResult>(context, ACTIVITIES.provisionEnvironment, ref);
    timings.provision = { startedAt: provisionFrom, finishedAt: now() };
  }

  for (const wave of WAVES) {
    const touched = results.find((r) => r.wave === 'clusters')?.touchedClusterIds ?? [];
    const items = itemsOf(wave, input, touched.length);
    const decision = decideWave(wave, items > 0, results);
    if (!decision.run) {
      // Pruning's steps are not counted here (the plan has them): holding it back is not a failure.
      if (decision.skip !== undefined && wave.applies === 'changes') {
        results.push({
          wave: wave.name,
          batch: 0,
          done: 0,
          failed: 0,
          skipped: items,
          failures: [{ key: wave.name, message: `skipped: ${decision.skip}` }],
        });
      }
      continue;
    }
    if (input.waves && wave.applies === 'changes' && !input.waves.includes(wave.name)) {
      // The plan has nothing for this wave to write: its items are in place as planned. They count as done,
      // as the wave would have counted them, and no activity runs (planEnvironment's wavesWithWork).
      results.push({ wave: wave.name, batch: 0, done: items, failed: 0, skipped: 0, failures: [] });
      continue;
    }
    const waveFrom = now();
    if (wave.batched) {
      const batches = Math.ceil(items / input.batchSize);
      const tasks = Array.from({ length: batches }, (_, batch) =>
        call({ wave: wave.name, batch, batchSize: input.batchSize }),
      );
      const answers = (yield context.df.Task.all(tasks)) as unknown[];
      results.push(...answers.map((answer) => stepResult<WaveResult>(answer)));
    } else {
      const extra = wave.applies === 'touchedClusters' ? { clusterIds: touched } : {};
      results.push(stepResult<WaveResult>(yield call({ wave: wave.name, ...extra })));
    }
    timings.waves.push({ wave: wave.name, startedAt: waveFrom, finishedAt: now() });
  }
  const drift = results.flatMap((r) => r.drift ?? []);
  const notices = results.flatMap((r) => r.notices ?? []);
  return {
    done: results.reduce((n, r) => n + r.done, 0),
    failed: results.reduce((n, r) => n + r.failed, 0),
    skipped: results.reduce((n, r) => n + r.skipped, 0),
    failures: results.flatMap((r) => r.failures).slice(0, 20),
    created: provision.created,
    ...(drift.length > 0 ? { drift: drift.slice(0, 20) } : {}),
    ...(notices.length > 0 ? { notices: notices.slice(0, 5) } : {}),
    timings,
  };
}

/** How many items a wave has to apply, as far as the orchestration knows (pruning: 1 when it is on). */
function itemsOf(wave: Wave, input: DeployEnvironmentInput, touchedClusters: number): number {
  if (wave.applies === 'touchedClusters') return touchedClusters;
  if (wave.applies === 'deletes') return input.prune ? 1 : 0;
  return wave.kinds.reduce((n, kind) => n + countOf(input.counts, kind), 0);
}

function countOf(counts: DeployEnvironmentInput['counts'], kind: Wave['kinds'][number]): number {
  // inspectBundle counts notebooks and workspace files together (they share the files wave).
  if (kind === 'notebooks') return counts.files;
  if (kind === 'files') return 0;
  if (kind === 'secrets') return counts.secrets ?? 0;
  if (kind === 'policies' || kind === 'permissions') return counts[kind] ?? 0;
  return counts[kind];
}
