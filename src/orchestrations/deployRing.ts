// Deterministic: the stage of an environment that is a ring of workspaces (BRICKLANE_<ENV>_TARGETS, issue 16 part 3).
// Every target is planned (in parallel) -> one approval covers the environment (its page shows each target's plan)
// -> the canary (the first target) applies and runs its checks -> the rest apply and check in parallel, in batches
// of `parallel`. Each target is a deployTarget sub-orchestration: it holds its own workspace's apply lock,
// so two releases never apply to one workspace at once. A failure starts no further target; the targets already
// running finish. Then, with BRICKLANE_<ENV>_ROLLBACK=auto, every target that applied this bundle (the failed one
// included) puts back its own last known good, in parallel within the same bound. When the only failures are
// workspaces that moved after the approved plans, the targets not yet deployed are planned and asked again
// (ringStage), as a single workspace's stage does.
// History stays small: one sub-orchestration per target (its activities are in its own history), and the ring
// waits on each batch with one Task.all, so replay costs grow with the targets, not their files.
import type * as df from 'durable-functions';
import {
  ACTIVITIES,
  ORCHESTRATIONS,
  type DeployTargetInput,
  type DeployTargetResult,
  type InspectBundleResult,
  type PlanEnvironmentResult,
  type RingTargets,
} from '../activities/contracts';
import type {
  PhaseTime,
  PlanCounts,
  ReleaseState,
  StagePhases,
  StageStatus,
  TargetStatus,
} from '../release/ReleaseStatus';
import { retryPolicy } from './retryPolicy';
import { stepResult } from './callStep';
import { messageOf } from './applyStage';
import { clipText as clip } from '../release/boundReleaseStatus';
import { MAX_PLANS } from './applyStage';

/** What the ring needs from its release. */
export interface RingStage {
  releaseId: string;
  bundleId: string;
  startedAt: string;
  stage: StageStatus;
  inspected: InspectBundleResult;
  publish: () => void;
}

/** How the ring ended: undefined when every target passed (the release goes on), else the release's end. */
export type RingEnd = { state: ReleaseState; message: string } | undefined;

/**
 * The ring's stage: with an approval (`approve`), every target planned, then one decision on those plans (and what
 * else holds an approved deploy: `approve` ends the ring, or lets it go on with undefined); then the ring deploys.
 * The approval's wait names the first planned target's plan: each round of plans makes a new one. When targets
 * failed only because their workspaces moved after the approved plans (nothing written to what moved), the targets
 * not yet deployed are planned again and the ring asks again on a fresh link, as a single workspace does, at most
 * MAX_PLANS rounds; the targets that already deployed stay deployed.
 */
export function* ringStage(
  context: df.OrchestrationContext,
  ring: RingStage,
  targets: RingTargets,
  approve: ((planId: string | undefined) => Generator<df.Task, RingEnd, unknown>) | undefined,
): Generator<df.Task, RingEnd, unknown> {
  const now = (): string => context.df.currentUtcDateTime.toISOString();
  if (!approve) {
    // Without an approval each target plans under its own lock (and plans again itself when its workspace moved).
    const phases: StagePhases = {};
    ring.stage.phases = phases;
    const apply: PhaseTime = { startedAt: now() };
    phases.apply = apply;
    const ended = yield* deployRing(context, ring, targets, undefined);
    apply.finishedAt = now();
    return ended as RingEnd;
  }
  let pending = targets.targets.map((_, i) => i);
  const earlier = new Map<number, DeployTargetResult>();
  for (let round = 0; ; round++) {
    // Each round starts its phases afresh: the page shows the round that applied (or failed).
    const phases: StagePhases = {};
    ring.stage.phases = phases;
    ring.stage.state = 'planning';
    const plan: PhaseTime = { startedAt: now() };
    phases.plan = plan;
    const plans = yield* planRing(context, ring, targets, pending);
    plan.finishedAt = now();
    const stopped = yield* approve(plans[pending[0] ?? 0]?.planId);
    if (stopped) return stopped;
    const apply: PhaseTime = { startedAt: now() };
    phases.apply = apply;
    const ended = yield* deployRing(context, ring, targets, plans, {
      pending,
      earlier,
      round,
      askAgain: round + 1 < MAX_PLANS,
    });
    apply.finishedAt = now();
    if (ended === undefined || !('replan' in ended)) return ended;
    pending = ended.replan;
    ring.stage.message = clip(`${ended.moved}: planned again; the new plan needs a new approval`, 600);
  }
}

/**
 * Plans the ring's `pending` targets at once (before its approval; every target the first time); the stage shows
 * each target's counts. The answer is indexed as the targets (undefined for one not planned in this round).
 */
export function* planRing(
  context: df.OrchestrationContext,
  ring: RingStage,
  targets: RingTargets,
  pending: readonly number[] = targets.targets.map((_, i) => i),
): Generator<df.Task, (PlanEnvironmentResult | undefined)[], unknown> {
  const { stage } = ring;
  const statuses: TargetStatus[] = targets.targets.map(
    (target, i) => stage.targets?.[i] ?? { target, state: 'pending' },
  );
  for (const i of pending) statuses[i] = { target: targets.targets[i] ?? '', state: 'planning' };
  stage.targets = statuses;
  ring.publish();
  const answers = (yield context.df.Task.all(
    pending.map((i) =>
      context.df.callActivityWithRetry(ACTIVITIES.planEnvironment, retryPolicy(), {
        releaseId: ring.releaseId,
        bundleId: ring.bundleId,
        environment: targets.targets[i] ?? '',
      }),
    ),
  )) as unknown[];
  const plans: (PlanEnvironmentResult | undefined)[] = targets.targets.map(() => undefined);
  pending.forEach((i, k) => {
    const plan = stepResult<PlanEnvironmentResult>(answers[k]);
    plans[i] = plan;
    statuses[i] = { target: targets.targets[i] ?? '', state: 'pending', plan: plan.summary };
  });
  stage.targets = [...statuses];
  stage.plan = sumCounts(plans.flatMap((p) => (p ? [p.summary] : [])));
  return plans;
}

/** A round of a ring with approved plans: which targets deploy now, and what the earlier rounds did. */
export interface RingRound {
  /** The targets (by index, in order) to deploy in this round. */
  pending: readonly number[];
  /** How each target deployed in earlier rounds ended (kept across rounds, updated with this one's). */
  earlier: Map<number, DeployTargetResult>;
  round: number;
  /** Whether targets whose workspaces moved may be planned again (else they fail the ring). */
  askAgain: boolean;
}

/** The ring plans again: these targets (not yet deployed), because `moved`. */
export interface RingReplan {
  replan: number[];
  moved: string;
}

/**
 * Deploys the ring: the canary, then the rest within the bound. `plans` are the approved plans (one per target,
 * in order), or undefined when the environment has no approval (each target plans under its own lock).
 */
export function* deployRing(
  context: df.OrchestrationContext,
  ring: RingStage,
  targets: RingTargets,
  plans: (PlanEnvironmentResult | undefined)[] | undefined,
  rounds: RingRound = {
    pending: targets.targets.map((_, i) => i),
    earlier: new Map(),
    round: 0,
    askAgain: false,
  },
): Generator<df.Task, RingEnd | RingReplan, unknown> {
  const { stage, inspected } = ring;
  const env = stage.environment;
  const now = (): string => context.df.currentUtcDateTime.toISOString();
  const statuses: TargetStatus[] = targets.targets.map(
    (target, i) => stage.targets?.[i] ?? { target, state: 'pending' },
  );
  stage.targets = statuses;
  stage.state = 'deploying';
  ring.publish();
  const checks = inspected.checks?.[env];
  const inputOf = (index: number): DeployTargetInput => ({
    releaseId: ring.releaseId,
    bundleId: ring.bundleId,
    environment: env,
    target: targets.targets[index] ?? '',
    startedAt: ring.startedAt,
    bundle: { counts: inspected.counts, prune: inspected.prune },
    ...(checks ? { checks } : {}),
    ...(plans?.[index] ? { plan: plans[index] } : {}),
    ...(rounds.round > 0 ? { round: rounds.round + 1 } : {}),
  });
  // The targets deployed in earlier rounds count as they ended (their applies, for a rollback, included).
  const results = rounds.earlier;
  const record = (index: number, result: DeployTargetResult): void => {
    results.set(index, result);
    const { applied: _applied, kept: _kept, moved: _moved, ...status } = result;
    // The plan counts shown are the approved plan's when the target had one.
    statuses[index] = { ...status, plan: status.plan ?? statuses[index]?.plan ?? {} };
    ring.publish();
  };
  const passed = (index: number): boolean => {
    const state = results.get(index)?.state;
    return state === 'succeeded';
  };

  const start = (i: number): df.Task => {
    statuses[i] = { target: targets.targets[i] ?? '', ...statuses[i], state: 'deploying', startedAt: now() };
    ring.publish();
    return callTarget(context, inputOf(i), 'deploy', rounds.round);
  };
  // The canary first, alone: the rest start only once it applied and its checks passed (in a later round, the
  // canary deployed already unless it is planned again).
  const first = rounds.pending.filter((i) => i === 0);
  yield* runBounded(context, first, 1, start, (i, task) => record(i, answerOf(task, targets.targets[i])));
  const rest = rounds.pending.filter((i) => i !== 0);
  if (passed(0)) {
    yield* runBounded(
      context,
      rest,
      targets.parallel,
      start,
      (i, task) => record(i, answerOf(task, targets.targets[i])),
      () => rest.every((i) => !results.has(i) || passed(i)),
    );
  }
  const failed = [...results.entries()].filter(([, r]) => r.state !== 'succeeded').map(([i]) => i);
  // Every failure is a workspace that moved after its approved plan: plan the targets not yet deployed again.
  if (rounds.askAgain && failed.length > 0 && failed.every((i) => results.get(i)?.moved === true)) {
    const replan = targets.targets.map((_, i) => i).filter((i) => results.get(i)?.state !== 'succeeded');
    for (const i of failed) results.delete(i);
    return {
      replan,
      moved: failed.map((i) => `${targets.targets[i]}: ${statuses[i]?.message ?? 'moved'}`).join('; '),
    };
  }
  // Targets a failure kept from starting.
  const blocker = failed.map((i) => targets.targets[i]).join(', ');
  for (const [i, status] of statuses.entries()) {
    if (!results.has(i))
      statuses[i] = { ...status, state: 'skipped', message: `not started: ${blocker} failed` };
  }
  stage.outcome = sumOutcomes([...results.values()]);
  stage.finishedAt = now();
  if (failed.length === 0) {
    stage.state = 'succeeded';
    ring.publish();
    return undefined;
  }
  const reason = failed
    .map((i) => `${targets.targets[i]}: ${results.get(i)?.message ?? results.get(i)?.state ?? 'failed'}`)
    .join('; ')
    .concat(
      // After the last round of plans, a moved workspace is a failure like any other.
      rounds.askAgain || !failed.some((i) => results.get(i)?.moved === true)
        ? ''
        : `; the workspace kept changing: planned ${rounds.round + 1} time(s); re-run the release once it is stable`,
    );
  // A newer release deploys to a superseded target; nothing here is left for this one to put back.
  if (failed.every((i) => results.get(i)?.state === 'superseded')) {
    stage.state = 'superseded';
    stage.message = clip(reason, 600);
    ring.publish();
    return { state: 'superseded', message: stage.message };
  }
  const auto = inspected.rollback?.[env] ?? inspected.rollback?.[targets.targets[0] ?? ''];
  if (!auto) {
    stage.state = 'failed';
    stage.message = clip(reason, 600);
    ring.publish();
    return {
      state: 'failed',
      message: `${env} failed (${failed.length} of ${targets.targets.length} target(s)); re-run the release to complete it`,
    };
  }
  return yield* rollBackRing(context, ring, targets, results, reason);
}

/** BRICKLANE_<ENV>_ROLLBACK=auto: every target that applied this bundle puts back its own last known good. */
function* rollBackRing(
  context: df.OrchestrationContext,
  ring: RingStage,
  targets: RingTargets,
  results: ReadonlyMap<number, DeployTargetResult>,
  reason: string,
): Generator<df.Task, RingEnd, unknown> {
  const { stage, inspected } = ring;
  const statuses = stage.targets ?? [];
  const now = (): string => context.df.currentUtcDateTime.toISOString();
  const applied = [...results.entries()].filter(([, r]) => r.applied).map(([i]) => i);
  const knownOf = (i: number): { bundleId: string; releaseId: string } | undefined => {
    const known = inspected.rollback?.[targets.targets[i] ?? '']?.knownGood;
    return known && known.bundleId !== ring.bundleId ? known : undefined;
  };
  const nothing = applied.filter((i) => knownOf(i) === undefined);
  for (const i of nothing) {
    const status = statuses[i];
    if (status) status.message = clip(`${status.message ?? status.state}; nothing to roll back to`, 600);
  }
  const back = applied.filter((i) => knownOf(i) !== undefined);
  stage.state = 'rollingBack';
  stage.message = clip(`${reason}; rolling back ${back.map((i) => targets.targets[i]).join(', ')}`, 600);
  ring.publish();
  const rolled = new Map<number, DeployTargetResult>();
  yield* runBounded(
    context,
    back,
    targets.parallel,
    (i) => {
      const status = statuses[i];
      if (status) status.state = 'rollingBack';
      ring.publish();
      return callTarget(
        context,
        {
          releaseId: ring.releaseId,
          bundleId: knownOf(i)?.bundleId ?? '',
          environment: stage.environment,
          target: targets.targets[i] ?? '',
          startedAt: ring.startedAt,
          rollback: true,
        },
        'rollback',
      );
    },
    (i, task) => {
      const result = answerOf(task, targets.targets[i]);
      rolled.set(i, result);
      const known = knownOf(i);
      const kept = result.kept ?? [];
      const status = statuses[i];
      if (!status) return;
      status.state = result.state === 'rolledBack' ? 'rolledBack' : 'failed';
      status.message = clip(
        result.state === 'rolledBack'
          ? `${status.message ?? 'failed'}; rolled back to bundle ${known?.bundleId} of release ${known?.releaseId}${kept.length > 0 ? `; left in place (prune is off): ${kept.join(', ')}` : ''}`
          : `${status.message ?? 'failed'}; the rollback failed too: ${result.message ?? result.state}`,
        600,
      );
      if (result.checks) status.checks = result.checks;
      status.finishedAt = now();
      ring.publish();
    },
  );
  stage.finishedAt = now();
  const allBack = nothing.length === 0 && back.every((i) => rolled.get(i)?.state === 'rolledBack');
  stage.state = allBack ? 'rolledBack' : 'failed';
  const names = back.filter((i) => rolled.get(i)?.state === 'rolledBack').map((i) => targets.targets[i]);
  stage.message = clip(
    `${reason}; ${names.length > 0 ? `rolled back ${names.join(', ')} to their last known good` : 'nothing was rolled back'}${allBack ? '' : nothing.length > 0 ? `; nothing to roll back to in ${nothing.map((i) => targets.targets[i]).join(', ')}` : '; a rollback failed'}`,
    600,
  );
  ring.publish();
  return allBack
    ? { state: 'rolledBack', message: `${stage.environment} rolled back ${names.join(', ')}` }
    : { state: 'failed', message: `${stage.environment} failed and was not wholly rolled back` };
}

/**
 * Starts `start(i)` for each index in order, `bound` at a time, and hands each finished task to `done`; once
 * `goOn` says no, no further batch starts. Batches, not a sliding window: a window re-yields the running tasks in a
 * new Task.any after each completion, and durable-functions 3.5 then schedules their actions again
 * (TaskOrchestrationExecutor: a compound task not yet scheduled adds its children's actions), which starts a
 * sub-orchestration twice under one instance id. Each task here is yielded once, in one Task.all.
 */
function* runBounded(
  context: df.OrchestrationContext,
  indexes: readonly number[],
  bound: number,
  start: (index: number) => df.Task,
  done: (index: number, task: df.Task) => void,
  goOn: () => boolean = () => true,
): Generator<df.Task, void, unknown> {
  for (let at = 0; at < indexes.length && goOn(); at += bound) {
    const batch = indexes.slice(at, at + bound);
    const tasks = batch.map((index) => start(index));
    try {
      yield context.df.Task.all(tasks);
    } catch {
      // A target that threw (deployTarget returns its failures as data, so only an unexpected error): Task.all
      // ends at the first fault; each task's own state says how it ended (answerOf).
    }
    batch.forEach((index, i) => done(index, tasks[i] as df.Task));
  }
}

/** The target's sub-orchestration; its instance id names the release, the target and what it does. */
function callTarget(
  context: df.OrchestrationContext,
  input: DeployTargetInput,
  purpose: 'deploy' | 'rollback',
  round = 0,
): df.Task {
  return context.df.callSubOrchestrator(
    ORCHESTRATIONS.deployTarget,
    input,
    `${input.releaseId}:${input.target}:${purpose === 'deploy' ? 'ring' : 'ring-rollback'}${round > 0 ? `:${round + 1}` : ''}`,
  );
}

/**
 * A target task's answer; a sub-orchestration that threw (or had not ended when another in its batch threw) is a
 * failed target that may have applied.
 */
function answerOf(task: df.Task, target = ''): DeployTargetResult {
  if (task.isFaulted || !task.isCompleted) {
    return {
      target,
      state: 'failed',
      applied: true,
      message: task.isFaulted ? messageOf(task.result) : 'ended with another target of its batch that failed',
    };
  }
  return task.result as DeployTargetResult;
}

function sumCounts(counts: readonly PlanCounts[]): PlanCounts {
  const sum: Record<string, Record<string, number>> = {};
  for (const plan of counts) {
    for (const [kind, byAction] of Object.entries(plan)) {
      const into = (sum[kind] ??= {});
      for (const [action, n] of Object.entries(byAction ?? {})) into[action] = (into[action] ?? 0) + (n ?? 0);
    }
  }
  return sum as PlanCounts;
}

function sumOutcomes(results: readonly DeployTargetResult[]): StageStatus['outcome'] {
  return results.reduce(
    (sum, r) => ({
      done: sum.done + (r.outcome?.done ?? 0),
      failed: sum.failed + (r.outcome?.failed ?? 0),
      skipped: sum.skipped + (r.outcome?.skipped ?? 0),
    }),
    { done: 0, failed: 0, skipped: 0 },
  );
}
