// Deterministic: one workspace of a ring (BRICKLANE_<ENV>_TARGETS), as its own sub-orchestration so that the
// targets after the canary each wait for their lock, apply and check independently, in parallel:
// take the target's apply lock -> plan (unless its plan was approved) -> deployEnvironment (planned again, up to
// MAX_PLANS times, when the workspace moved before an unapproved plan's apply) -> the environment's
// checks there -> give the lock back (recording the last known good when the checks passed or there are none). The
// checks run under the lock: no other release writes to the workspace while this bundle is verified.
// Everything goes by the target's key (`prod.weu`): apply lock, stored plan, ledger, known good, check runs. A
// permanent failure ends the target as data (its state and message); it never throws into the ring.
import type * as df from 'durable-functions';
import {
  ACTIVITIES,
  type DeployEnvironmentResult,
  type DeployTargetInput,
  type DeployTargetResult,
  type InspectBundleResult,
  type PlanEnvironmentResult,
  type ReleaseEnvironmentInput,
} from '../activities/contracts';
import { callStep, StepFailed } from './callStep';
import { applyInput, applyStage, failuresOf, MAX_PLANS } from './applyStage';
import { claimForApply } from './claimForApply';
import { runChecks } from './runChecks';

export function* deployTarget(
  context: df.OrchestrationContext,
): Generator<df.Task, DeployTargetResult, unknown> {
  const input = context.df.getInput<DeployTargetInput>();
  const now = (): string => context.df.currentUtcDateTime.toISOString();
  const result: DeployTargetResult = {
    target: input.target,
    state: 'deploying',
    applied: false,
    startedAt: now(),
  };
  const ref = { releaseId: input.releaseId, bundleId: input.bundleId, environment: input.target };
  let holding = false;
  const giveBack = function* (knownGood: boolean): Generator<df.Task, void, unknown> {
    yield* callStep(context, ACTIVITIES.releaseEnvironment, {
      releaseId: input.releaseId,
      environment: input.target,
      phase: 'applying',
      ...(knownGood ? { knownGood: { bundleId: input.bundleId, at: now() } } : {}),
    } satisfies ReleaseEnvironmentInput);
    holding = false;
  };
  const end = (state: DeployTargetResult['state'], message?: string): DeployTargetResult => {
    result.state = state;
    result.finishedAt = now();
    if (message !== undefined) result.message = message;
    return result;
  };
  try {
    // A rollback puts back the target's own last known good, another bundle than the release's: its counts and
    // checks are that bundle's.
    let bundle = input.bundle;
    let checks = input.checks;
    if (!bundle) {
      const inspected = yield* callStep<InspectBundleResult>(context, ACTIVITIES.inspectBundle, {
        releaseId: input.releaseId,
        bundleId: input.bundleId,
        environments: [input.environment],
      });
      bundle = inspected;
      checks = inspected.checks?.[input.environment];
    }
    // The release holds the target's lock; this instance is the one woken when another release frees it.
    const claimed = yield* claimForApply(
      context,
      input.releaseId,
      input.target,
      input.startedAt,
      () => {},
      context.df.instanceId,
    );
    if (claimed !== true) {
      return end(
        claimed === false ? 'failed' : 'superseded',
        claimed === false
          ? 'another release kept applying to this workspace for 6 hours'
          : `superseded by release ${claimed.supersededBy}, which deploys to ${input.target}`,
      );
    }
    holding = true;
    // Planned now, under the lock, when nobody approved a plan: it starts from what the releases before applied.
    // When the workspace moved between that plan and the apply (a change outside bricklane), the apply wrote
    // nothing to what moved and the target plans again and applies the new plan, as an ungated stage does, a
    // bounded number of times. An approved plan is not re-planned: the new plan would not be the approved one.
    let applied: DeployEnvironmentResult;
    for (let round = 0; ; round++) {
      const plan =
        input.plan ?? (yield* callStep<PlanEnvironmentResult>(context, ACTIVITIES.planEnvironment, ref));
      result.plan = plan.summary;
      if (input.plan === undefined) result.kept = plan.kept ?? [];
      result.applied = true;
      const apply: NonNullable<DeployTargetResult['apply']> = { startedAt: now() };
      result.apply = apply;
      const base = `${input.releaseId}:${input.target}${input.rollback ? ':rollback' : ''}${input.round ? `:r${input.round}` : ''}`;
      applied = yield* applyStage(
        context,
        applyInput(ref, { counts: bundle.counts, prune: bundle.prune }, plan, input.plan === undefined),
        // Each apply is its own sub-orchestration instance.
        round === 0 ? base : `${base}:${round + 1}`,
      );
      apply.finishedAt = now();
      if (applied.failure) throw new StepFailed(applied.failure);
      result.outcome = { done: applied.done, failed: applied.failed, skipped: applied.skipped };
      const drift = applied.drift ?? [];
      if (drift.length === 0) break;
      const moved = `${drift.length} object(s) changed in the workspace since the plan (${drift
        .slice(0, 5)
        .map((d) => d.key)
        .join(', ')}); nothing was written to them`;
      if (input.plan !== undefined || round + 1 >= MAX_PLANS) {
        yield* giveBack(false);
        if (input.plan !== undefined && applied.failed === 0) result.moved = true;
        return end(
          'failed',
          // The ring plans it again and asks again, or (after its last round) fails and says to re-run.
          input.plan !== undefined
            ? moved
            : `${moved}. The workspace kept changing: planned ${MAX_PLANS} times; re-run the release once it is stable`,
        );
      }
      result.message = `${moved}: planned again and applied the new plan`;
    }
    const wrote = applied.failed === 0 && applied.skipped === 0;
    if (!wrote) {
      yield* giveBack(false);
      return end('failed', failuresOf(applied));
    }
    let failed: string | undefined;
    if (checks) {
      result.state = 'checking';
      failed = yield* runChecks(context, ref, checks, input.startedAt, (runs) => {
        result.checks = runs;
      });
    }
    // What wrote everything and passed its checks (or had none) is the target's last known good (as a stage's is).
    yield* giveBack(failed === undefined);
    if (failed !== undefined && checks?.block) return end('failed', failed);
    if (failed !== undefined) result.message = `not blocking: ${failed}`;
    return end(input.rollback ? 'rolledBack' : 'succeeded');
  } catch (error) {
    if (!(error instanceof StepFailed)) throw error;
    if (holding) {
      try {
        yield* giveBack(false);
      } catch {
        // A holder that has ended is no holder (claimEnvironment): the release queued here takes over at its poll.
      }
    }
    result.fix = error.failure.fix;
    return end('failed', error.failure.message);
  }
}
