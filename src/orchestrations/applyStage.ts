// Deterministic: one apply of a bundle to one workspace, as its own deployEnvironment instance, and the input it
// is given: the bundle's counts, the plan, and what the plan found.
import type * as df from 'durable-functions';
import {
  ORCHESTRATIONS,
  type DeployEnvironmentInput,
  type DeployEnvironmentResult,
  type InspectBundleResult,
  type PlanEnvironmentResult,
} from '../activities/contracts';

/** Files per applyWave batch: large enough that history stays small, small enough to retry cheaply. */
export const FILES_BATCH_SIZE = 250;

/** What deployEnvironment is asked to apply: the bundle's counts, the plan, and what the plan found. */
export function applyInput(
  ref: { releaseId: string; bundleId: string; environment: string },
  inspected: Pick<InspectBundleResult, 'counts' | 'prune'>,
  plan: PlanEnvironmentResult,
  fresh: boolean,
): DeployEnvironmentInput {
  return {
    ...ref,
    counts: inspected.counts,
    prune: inspected.prune,
    batchSize: FILES_BATCH_SIZE,
    ...(plan.planId !== undefined ? { planId: plan.planId } : {}),
    // A plan with no approval after it was made moments ago (`fresh`): what it saw still holds, so the apply
    // leaves out what it found nothing to do for. After an approval (hours, maybe) every wave runs and
    // checks its objects against the approved plan, and provisioning runs.
    ...(fresh && plan.waves !== undefined ? { waves: plan.waves } : {}),
    ...(fresh && plan.workspaceExists === true ? { workspaceExists: true } : {}),
  };
}

/**
 * Plans per stage (or ring round, or ring target) at most: the first, and re-plans after the workspace moved before
 * the apply.
 */
export const MAX_PLANS = 3;

/** One apply, as its own deployEnvironment instance; a sub-orchestration that threw is a failed apply. */
export function* applyStage(
  context: df.OrchestrationContext,
  subInput: DeployEnvironmentInput,
  instanceId: string,
): Generator<df.Task, DeployEnvironmentResult, unknown> {
  try {
    return (yield context.df.callSubOrchestrator(
      ORCHESTRATIONS.deployEnvironment,
      subInput,
      instanceId,
    )) as DeployEnvironmentResult;
  } catch (error) {
    return {
      done: 0,
      failed: 1,
      skipped: 0,
      failures: [{ key: subInput.environment, message: messageOf(error) }],
      created: [],
    };
  }
}

/** The first failures of an apply, in words. */
export function failuresOf(result: DeployEnvironmentResult): string {
  return result.failures
    .slice(0, 5)
    .map((f) => `${f.key}: ${f.message}`)
    .join('; ');
}

/** An exception's first line, short: what a sub-orchestration that threw says. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0]?.slice(0, 300) ?? 'failed') : 'failed';
}
