// Deterministic: every step of a release is an activity called with the retry policy. An activity throws
// only what a retry can fix; a permanent failure comes back as data and ends the release here, the same
// way for every step: the stage is marked failed with the message and the fix, the environment's channel
// is told, and the release finishes `failed`, within one attempt (no retries for a missing secret).
import type * as df from 'durable-functions';
import {
  ACTIVITIES,
  isActivityFailed,
  type ActivityFailed,
  type NotifyInput,
  type PermanentFailure,
} from '../activities/contracts';
import type { StageStatus } from '../release/ReleaseStatus';
import { stageEndFacts } from '../release/AuditEvent';
import { noticePolicyOf } from '../release/ReleaseNotice';
import { targetApplied } from '../release/rollbackOffer';
import { retryPolicy } from './retryPolicy';

/** A step failed permanently; thrown inside the orchestrator only, caught where the release routes it (deployRelease, deployEnvironment). */
export class StepFailed extends Error {
  constructor(readonly failure: PermanentFailure) {
    super(failure.message);
    this.name = 'StepFailed';
  }
}

/** Calls `activity` with the retry policy; a permanent failure throws StepFailed. */
export function* callStep<T>(
  context: df.OrchestrationContext,
  activity: string,
  input: unknown,
): Generator<df.Task, Exclude<T, ActivityFailed>, unknown> {
  return stepResult<T>(yield context.df.callActivityWithRetry(activity, retryPolicy(), input));
}

/** The result of a step scheduled some other way (in parallel, a sub-orchestration), or StepFailed. */
export function stepResult<T>(result: unknown): Exclude<T, ActivityFailed> {
  if (isActivityFailed(result)) throw new StepFailed(result.failure);
  return result as Exclude<T, ActivityFailed>;
}

/**
 * Routes a permanent failure: the stage it happened in (none before the first stage) is marked failed
 * with the message and the fix, and the channel is told. Returns the release message.
 */
export function* failStage(
  context: df.OrchestrationContext,
  releaseId: string,
  stage: StageStatus | undefined,
  failure: PermanentFailure,
): Generator<df.Task, string, unknown> {
  if (!stage) return failure.message;
  stage.state = 'failed';
  stage.message = failure.message;
  stage.fix = failure.fix;
  stage.finishedAt = context.df.currentUtcDateTime.toISOString();
  yield* notifyStage(context, releaseId, stage);
  return `${stage.environment} failed (${failure.code}); fix it and re-run the release`;
}

/** Tells the environment's channel how a stage ended. The activity never throws: a notice is never worth a failed release. */
export function* notifyStage(
  context: df.OrchestrationContext,
  releaseId: string,
  stage: StageStatus,
  /** The bundle that failed after it deployed here: the notice may then offer the manual rollback link. */
  failedBundleId?: string,
): Generator<df.Task, void, unknown> {
  yield context.df.callActivity(ACTIVITIES.notify, {
    releaseId,
    environment: stage.environment,
    kind: 'stageFinished',
    state: stage.state,
    ...(failedBundleId !== undefined ? { failedBundleId } : {}),
    // A ring: the workspaces that applied the failed bundle, each of which may be rolled back by hand.
    ...(failedBundleId !== undefined && stage.targets
      ? { appliedTargets: stage.targets.filter(targetApplied).map((t) => t.target) }
      : {}),
    ...(stage.message ? { message: stage.message } : {}),
    ...(stage.fix ? { fix: stage.fix } : {}),
    ...noticePolicyOf(stage),
    // For the audit trail, which notify writes: when the stage ended, and its apply and checks outcome.
    ...stageEndFacts(stage),
  } satisfies NotifyInput);
}
