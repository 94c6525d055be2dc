// Deterministic: one release carries one immutable bundle through the environments in order.
// Per environment: plan -> approval gate (if required) -> claim the environment -> deployEnvironment; an
// environment that is a ring of workspaces deploys through deployRing (canary, then the rest in parallel).
// Custom status is always current and bounded (boundReleaseStatus: the extension fails an orchestration
// whose custom status is over 16 KB); the output is the final status, bounded the same way.
import type * as df from 'durable-functions';
import {
  ACTIVITIES,
  type DeployEnvironmentResult,
  type InspectBundleResult,
  type StageSourceResult,
  type PlanEnvironmentResult,
  type EnvironmentChecks,
  type ReleaseEnvironmentInput,
} from '../activities/contracts';
import { callStep, failStage, notifyStage, StepFailed } from './callStep';
import { SUPERSEDED_EVENT } from '../release/ApprovalEvent';
import type { ReleaseInput } from '../release/ReleaseInput';
import type {
  PhaseTime,
  ReleaseState,
  ReleaseStatus,
  StagePhases,
  StageStatus,
} from '../release/ReleaseStatus';
import { boundReleaseStatus, clipText as clip } from '../release/boundReleaseStatus';
import { runChecks } from './runChecks';
import { applyInput, applyStage, failuresOf, MAX_PLANS } from './applyStage';
import { claimForApply } from './claimForApply';
import { ringStage } from './deployRing';
import { approvalGate, type GateOutcome } from './approvalGate';
import { applyPolicies } from './applyPolicies';
import type { SupersedeNotices } from './waitForApproval';

export { FILES_BATCH_SIZE, MAX_PLANS } from './applyStage';
/** Moved objects shown on the stage (the custom status is bounded). */
const SHOWN_DRIFT = 5;

export function* deployRelease(context: df.OrchestrationContext): Generator<df.Task, ReleaseStatus, unknown> {
  const input = context.df.getInput<ReleaseInput>();
  const now = (): string => context.df.currentUtcDateTime.toISOString();
  const status: ReleaseStatus = {
    releaseId: input.releaseId,
    bundleId: input.bundleId,
    source: input.source,
    state: 'validating',
    startedAt: now(),
    stages: input.environments.map((environment) => ({ environment, state: 'pending' })),
  };
  const publish = (): void => context.df.setCustomStatus(boundReleaseStatus(status));
  // One waiter for supersede notices for the whole release: each new waiter would take the next notice
  // from the ones before it (durable-functions hands an event to the latest waiter), so a notice that
  // arrives between two gates must find this one.
  const notices: SupersedeNotices = { task: context.df.waitForExternalEvent(SUPERSEDED_EVENT) };
  const finish = (state: ReleaseState, message?: string): ReleaseStatus => {
    status.state = state;
    status.finishedAt = now();
    if (message) status.message = message;
    for (const s of status.stages) if (s.state === 'pending') s.state = 'skipped';
    publish();
    return boundReleaseStatus(status);
  };
  publish();

  // The stage a permanent failure belongs to (none while the bundle is staged and inspected).
  let current: StageStatus | undefined;
  // The environment whose apply lock this release holds, so that a permanent failure gives it back.
  let holding: string | undefined;
  /**
   * Gives the apply lock back when this release holds one, waking the release queued for it; with `knownGood`, the
   * bundle that deployed and passed there is first recorded as the environment's last known good.
   */
  function* giveBackLock(knownGood?: string): Generator<df.Task, void, unknown> {
    const environment = holding;
    if (environment === undefined) return;
    yield* callStep(context, ACTIVITIES.releaseEnvironment, {
      releaseId: input.releaseId,
      environment,
      phase: 'applying',
      ...(knownGood !== undefined ? { knownGood: { bundleId: knownGood, at: now() } } : {}),
    } satisfies ReleaseEnvironmentInput);
    holding = undefined;
  }
  /** Takes the current stage's apply lock; the release's final status when the stage cannot have it. */
  function* takeApplyLock(phases: StagePhases): Generator<df.Task, ReleaseStatus | undefined, unknown> {
    const stage = current as StageStatus;
    const lockFrom = now();
    const claimed = yield* claimForApply(
      context,
      input.releaseId,
      stage.environment,
      input.rollback?.orderedAt ?? status.startedAt,
      () => {
        // Another release applies here: from now on the stage waits, and the page says since when.
        phases.lock = { startedAt: lockFrom };
        publish();
      },
    );
    if (phases.lock) phases.lock.finishedAt = now();
    if (claimed === true) {
      holding = stage.environment;
      return undefined;
    }
    stage.state = claimed === false ? 'failed' : 'superseded';
    // Superseded: a newer release applies here, applied here, or is queued for it; applying this older
    // bundle now would put it over the newer one.
    stage.message =
      claimed === false
        ? 'another release kept applying to this environment for 6 hours'
        : `superseded by release ${claimed.supersededBy}, which deploys to ${stage.environment}`;
    stage.finishedAt = now();
    yield* notifyStage(context, input.releaseId, stage);
    return finish(stage.state, stage.message);
  }
  try {
    if (input.fetch) {
      const staged = yield* callStep<StageSourceResult>(context, ACTIVITIES.stageSource, {
        releaseId: input.releaseId,
        fetch: input.fetch,
      });
      status.bundleId = staged.bundleId;
      publish();
    }
    const bundleId = status.bundleId;
    const inspected = yield* callStep<InspectBundleResult>(context, ACTIVITIES.inspectBundle, {
      releaseId: input.releaseId,
      bundleId,
      environments: input.environments,
    });
    if (!inspected.valid) {
      // The first few are on the status; inspectBundle stored them all for the status page.
      status.diagnostics = { count: inspected.errorCount, items: inspected.diagnostics };
      return finish('invalid', `${inspected.errorCount} problem(s) in the bundle; nothing was deployed`);
    }

    /** Runs the stage's checks, the page following each run; their failures in words, or undefined. */
    function* stageChecks(
      stage: StageStatus,
      checks: EnvironmentChecks,
      checked = bundleId,
    ): Generator<df.Task, string | undefined, unknown> {
      stage.state = 'checking';
      const span: PhaseTime = { startedAt: now() };
      (stage.phases ??= {}).checks = span;
      publish();
      const ref = { releaseId: input.releaseId, bundleId: checked, environment: stage.environment };
      const failed = yield* runChecks(context, ref, checks, status.startedAt, (runs) => {
        stage.checks = runs;
        publish();
      });
      span.finishedAt = now();
      stage.finishedAt = now();
      // A check that does not block promotion is reported beside the counts.
      if (failed !== undefined && !checks.block)
        stage.notices = [...(stage.notices ?? []), clip(`not blocking: ${failed}`, 400)];
      return failed;
    }

    /**
     * BRICKLANE_<ENV>_ROLLBACK=auto: after the stage failed (`reason`), puts the environment's last known good
     * bundle back. It is planned, applied and checked like any bundle, with no approval: it is what deployed and
     * passed here before (approved then, where the stage has a gate). The release's final status, or undefined
     * when the environment does not roll back by itself (the stage fails as before).
     */
    function* rollBack(
      stage: StageStatus,
      reason: string,
    ): Generator<df.Task, ReleaseStatus | undefined, unknown> {
      const auto = input.rollback
        ? { knownGood: input.rollback.knownGood }
        : inspected.rollback?.[stage.environment];
      if (!auto) return undefined;
      const known = auto.knownGood;
      if (!known || (!input.rollback && known.bundleId === bundleId)) {
        yield* giveBackLock();
        stage.state = 'failed';
        stage.message = clip(
          `${reason}; nothing to roll back to: no earlier bundle passed in ${stage.environment}`,
          600,
        );
        stage.finishedAt = now();
        yield* notifyStage(context, input.releaseId, stage);
        return finish('failed', `${stage.environment} failed, with nothing to roll back to`);
      }
      const back = `rolled back to bundle ${known.bundleId} of release ${known.releaseId}`;
      stage.state = 'rollingBack';
      stage.message = clip(
        `${reason}; rolling back to bundle ${known.bundleId} of release ${known.releaseId}`,
        600,
      );
      publish();
      // The earlier bundle is staged content-addressed in release storage: inspect it for its counts and checks.
      const earlier = yield* callStep<InspectBundleResult>(context, ACTIVITIES.inspectBundle, {
        releaseId: input.releaseId,
        bundleId: known.bundleId,
        environments: [stage.environment],
      });
      // The failed stage still holds the environment's apply lock (its checks ran under it); a manual rollback takes
      // it in the failed release's place.
      if (holding !== stage.environment) {
        const stopped = yield* takeApplyLock((stage.phases ??= {}));
        if (stopped) return stopped;
      }
      const ref = { releaseId: input.releaseId, bundleId: known.bundleId, environment: stage.environment };
      const plan = yield* callStep<PlanEnvironmentResult>(context, ACTIVITIES.planEnvironment, ref);
      const result = yield* applyStage(
        context,
        applyInput(ref, earlier, plan, true),
        `${input.releaseId}:${stage.environment}:rollback`,
      );
      if (result.failure) throw new StepFailed(result.failure);
      const wrote = result.failed === 0 && result.skipped === 0 && (result.drift ?? []).length === 0;
      const checks = earlier.checks?.[stage.environment];
      // Checked under the lock: no other release writes here until the bundle put back is verified.
      const failedChecks = wrote && checks ? yield* stageChecks(stage, checks, known.bundleId) : undefined;
      yield* giveBackLock();
      stage.finishedAt = now();
      if (!wrote || (failedChecks !== undefined && checks?.block)) {
        stage.state = 'failed';
        stage.message = clip(
          `${reason}; the rollback failed too: ${failedChecks ?? failuresOf(result)}`,
          600,
        );
        yield* notifyStage(context, input.releaseId, stage);
        return finish('failed', `${stage.environment} failed and its rollback failed`);
      }
      // Without prune the objects only the failed bundle had stay in the workspace: the rollback's plan names them.
      const kept = plan.kept ?? [];
      stage.state = 'rolledBack';
      stage.message = clip(
        `${reason}; ${back}${kept.length > 0 ? `; left in place (prune is off): ${kept.join(', ')}` : ''}`,
        600,
      );
      yield* notifyStage(context, input.releaseId, stage);
      return finish('rolledBack', `${stage.environment} ${back}`);
    }

    for (const stage of status.stages) {
      const ref = { releaseId: input.releaseId, bundleId, environment: stage.environment };
      current = stage;
      status.state = 'running';
      stage.startedAt = now();
      // A manual rollback (functions/rollbackLink.ts) puts the last known good back at once, as rollBack does.
      if (input.rollback) return (yield* rollBack(stage, input.rollback.reason)) ?? finish('failed');
      const gate = input.approvals[stage.environment] ?? { required: false, timeoutInHours: 72 };
      let result: DeployEnvironmentResult | undefined;
      // The environment's wait timer (and, for a stage without approval, its change window and external checks).
      const held = yield* applyPolicies(context, input, status, stage, 'start', publish);
      if (held !== undefined) {
        yield* notifyStage(context, input.releaseId, stage);
        return finish('failed', held);
      }
      /** The stage's approval gate, asking about `planId`. */
      const approve = (planId: string | undefined): Generator<df.Task, GateOutcome, unknown> =>
        approvalGate(
          context,
          input,
          stage,
          gate.timeoutInHours,
          status.startedAt,
          notices,
          (state) => {
            status.state = state;
            publish();
          },
          planId,
        );
      const ring = inspected.rings?.[stage.environment];
      if (ring) {
        // A ring of workspaces (BRICKLANE_<ENV>_TARGETS): one approval, the canary, then the rest (deployRing.ts).
        const ringOf = {
          releaseId: input.releaseId,
          bundleId,
          startedAt: status.startedAt,
          stage,
          inspected,
          publish,
        };
        const ended = yield* ringStage(
          context,
          ringOf,
          ring,
          // One approval for the ring, then what still holds an approved deploy (change window, external checks).
          gate.required
            ? function* (planId) {
                const outcome = yield* approve(planId);
                if (outcome !== 'approved') return { state: outcome, message: stage.message ?? outcome };
                const blocked = yield* applyPolicies(context, input, status, stage, 'approved', publish);
                return blocked === undefined ? undefined : { state: 'failed', message: blocked };
              }
            : undefined,
        );
        // A ring that failed with no rollback of its own: its notice offers each applied workspace's rollback link.
        yield* notifyStage(
          context,
          input.releaseId,
          stage,
          ended?.state === 'failed' && stage.state === 'failed' ? bundleId : undefined,
        );
        if (ended) return finish(ended.state, ended.message);
        continue;
      }
      // Plan, approve and apply; when the workspace moved between the plan and the apply, the apply wrote
      // nothing to what moved, and the stage plans again (and asks again on a fresh link), a bounded number
      // of times.
      for (let round = 0; ; round++) {
        stage.state = 'planning';
        // Each round starts its phases afresh: the page shows the round that applied (or failed).
        const phases: StagePhases = {};
        stage.phases = phases;
        // A stage without a gate takes the apply lock before it plans: its plan then starts from what the
        // releases before it applied (planned earlier, it would find their writes as drift and plan again),
        // and a release superseded while queued plans nothing.
        if (!gate.required) {
          const stopped = yield* takeApplyLock(phases);
          if (stopped) return stopped;
        }
        const planFrom = now();
        phases.plan = { startedAt: planFrom };
        publish();
        const plan = yield* callStep<PlanEnvironmentResult>(context, ACTIVITIES.planEnvironment, ref);
        phases.plan = { startedAt: planFrom, finishedAt: now() };
        stage.plan = plan.summary;
        if (plan.planId !== undefined) stage.plans = { ...stage.plans, planned: plan.planId, replans: round };

        if (gate.required) {
          const outcome = yield* approve(plan.planId);
          if (outcome !== 'approved') {
            yield* notifyStage(context, input.releaseId, stage);
            return finish(outcome, stage.message);
          }
          if (plan.planId !== undefined && stage.plans) stage.plans.approved = plan.planId;
          // Approved: the change window, then the external checks (applyPolicies.ts says why in this order).
          const blocked = yield* applyPolicies(context, input, status, stage, 'approved', publish);
          if (blocked !== undefined) {
            yield* notifyStage(context, input.releaseId, stage);
            return finish('failed', blocked);
          }
        }

        if (gate.required) {
          const stopped = yield* takeApplyLock(phases);
          if (stopped) return stopped;
        }
        stage.state = 'deploying';
        phases.apply = { startedAt: now() };
        publish();
        result = yield* applyStage(
          context,
          applyInput(ref, inspected, plan, !gate.required),
          // Each apply of a stage is its own sub-orchestration instance.
          round === 0
            ? `${input.releaseId}:${stage.environment}`
            : `${input.releaseId}:${stage.environment}:${round + 1}`,
        );
        phases.apply.finishedAt = now();
        // Provision and each wave inside the apply, as deployEnvironment timed them (older results have none).
        if (result.timings?.provision) phases.provision = { ...result.timings.provision };
        if (result.timings) phases.waves = result.timings.waves.map((w) => ({ ...w }));
        const drift = result.drift ?? [];
        if (drift.length === 0 || result.failure) {
          if (plan.planId !== undefined && stage.plans && !result.failure) stage.plans.applied = plan.planId;
          // The lock is kept: the stage's checks (and a rollback) run under it, so no other release writes here
          // while this bundle is verified, and what passes is what the last known good records.
          break;
        }
        // Planned again: the lock goes back (a gated stage asks again; a gateless one takes it before planning).
        yield* giveBackLock();
        stage.drift = drift.slice(0, SHOWN_DRIFT).map((d) => ({
          key: clip(d.key, 200),
          was: clip(d.was, 120),
          now: clip(d.now, 120),
        }));
        const moved = `${drift.length} object(s) changed in the workspace since the plan${gate.required ? ' was approved' : ''} (${stage.drift.map((d) => d.key).join(', ')}); nothing was written to them`;
        if (round + 1 >= MAX_PLANS) {
          stage.state = 'failed';
          stage.message = `${moved}. The workspace kept changing: planned ${MAX_PLANS} times; re-run the release once it is stable`;
          stage.finishedAt = now();
          yield* notifyStage(context, input.releaseId, stage);
          return finish('failed', stage.message);
        }
        stage.message = gate.required
          ? `${moved}: planned again; the new plan needs a new approval`
          : `${moved}: planned again and applied the new plan`;
      }
      if (result.failure) throw new StepFailed(result.failure);
      stage.outcome = { done: result.done, failed: result.failed, skipped: result.skipped };
      if (result.notices && result.notices.length > 0)
        stage.notices = result.notices.map((n) => clip(n, 400));
      stage.finishedAt = now();
      if (result.failed > 0 || result.skipped > 0) {
        const rolled = yield* rollBack(stage, failuresOf(result));
        if (rolled) return rolled;
        yield* giveBackLock();
        stage.state = 'failed';
        stage.message = failuresOf(result);
        yield* notifyStage(context, input.releaseId, stage, bundleId);
        return finish('failed', `${stage.environment} failed; re-run the release to complete it`);
      }
      const checks = inspected.checks?.[stage.environment];
      const failedChecks = checks ? yield* stageChecks(stage, checks) : undefined;
      if (failedChecks !== undefined && checks?.block) {
        const rolled = yield* rollBack(stage, failedChecks);
        if (rolled) return rolled;
        yield* giveBackLock();
        stage.state = 'failed';
        stage.message = failedChecks;
        yield* notifyStage(context, input.releaseId, stage, bundleId);
        return finish('failed', `${stage.environment} failed its checks: ${failedChecks}`);
      }
      // The last known good is what deployed here and passed its checks (or had none): a rollback's target. The
      // call that gives the lock up records it first.
      yield* giveBackLock(failedChecks === undefined ? bundleId : undefined);
      stage.state = 'succeeded';
      publish();
      yield* notifyStage(context, input.releaseId, stage);
    }
    return finish('succeeded');
  } catch (error) {
    if (!(error instanceof StepFailed)) throw error;
    if (holding) {
      try {
        // The lock is held from the plan (gateless) or the apply to the stage's end; the release queued goes on now.
        yield* giveBackLock();
      } catch {
        // A holder that has ended is no holder (claimEnvironment): the queued release takes over at its poll.
      }
    }
    const message = yield* failStage(context, input.releaseId, current, error.failure);
    if (!current) status.fix = error.failure.fix;
    return finish('failed', message);
  }
}
