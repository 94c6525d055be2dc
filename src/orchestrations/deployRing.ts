// Deterministic: the stage of an environment that is a ring of workspaces (BRICKLANE_<ENV>_TARGETS, issue 16 part 3).
// Every target is planned (in parallel) -> one approval covers the environment (its page shows each target's plan)
// -> the canary (the first target) applies and runs its checks -> the rest apply and check in parallel, in batches
// of `parallel`. Each target is a deployTarget sub-orchestration: it holds its own workspace's apply lock,
// so two releases never apply to one workspace at once. A failure starts no further target; the targets already
// running finish. Then, with BRICKLANE_<ENV>_ROLLBACK=auto, every target that applied this bundle (the failed one
// included) puts back its own last known good, in parallel within the same bound.
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
 * The approval's wait names the canary's plan: each round of plans makes a new one.
 */
export function* ringStage(
  context: df.OrchestrationContext,
  ring: RingStage,
  targets: RingTargets,
  approve: ((planId: string | undefined) => Generator<df.Task, RingEnd, unknown>) | undefined,
): Generator<df.Task, RingEnd, unknown> {
  const now = (): string => context.df.currentUtcDateTime.toISOString();
  const phases: StagePhases = {};
  ring.stage.phases = phases;
  let plans: PlanEnvironmentResult[] | undefined;
  if (approve) {
    ring.stage.state = 'planning';
    const plan: PhaseTime = { startedAt: now() };
    phases.plan = plan;
    plans = yield* planRing(context, ring, targets);
    plan.finishedAt = now();
    const stopped = yield* approve(plans[0]?.planId);
    if (stopped) return stopped;
  }
  const apply: PhaseTime = { startedAt: now() };
  phases.apply = apply;
  const ended = yield* deployRing(context, ring, targets, plans);
  apply.finishedAt = now();
  return ended;
}

/** Plans every target of the ring at once (before its approval); the stage shows each target's counts. */
export function* planRing(
  context: df.OrchestrationContext,
  ring: RingStage,
  targets: RingTargets,
): Generator<df.Task, PlanEnvironmentResult[], unknown> {
  const { stage } = ring;
  stage.targets = targets.targets.map((target): TargetStatus => ({ target, state: 'planning' }));
  ring.publish();
  const answers = (yield context.df.Task.all(
    targets.targets.map((target) =>
      context.df.callActivityWithRetry(ACTIVITIES.planEnvironment, retryPolicy(), {
        releaseId: ring.releaseId,
        bundleId: ring.bundleId,
        environment: target,
      }),
    ),
  )) as unknown[];
  const plans = answers.map((answer) => stepResult<PlanEnvironmentResult>(answer));
  stage.targets = targets.targets.map((target, i) => ({
    target,
    state: 'pending',
    plan: plans[i]?.summary ?? {},
  }));
  stage.plan = sumCounts(plans.map((p) => p.summary));
  return plans;
}

/**
 * Deploys the ring: the canary, then the rest within the bound. `plans` are the approved plans (one per target,
 * in order), or undefined when the environment has no approval (each target plans under its own lock).
 */
export function* deployRing(
  context: df.OrchestrationContext,
  ring: RingStage,
  targets: RingTargets,
  plans: PlanEnvironmentResult[] | undefined,
): Generator<df.Task, RingEnd, unknown> {
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
  });
  const results = new Map<number, DeployTargetResult>();
  const record = (index: number, result: DeployTargetResult): void => {
    results.set(index, result);
    const { applied: _applied, kept: _kept, ...status } = result;
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
    return callTarget(context, inputOf(i), 'deploy');
  };
  // The canary first, alone: the rest start only once it applied and its checks passed.
  yield* runBounded(context, [0], 1, start, (i, task) => record(i, answerOf(task, targets.targets[i])));
  const rest = targets.targets.map((_, i) => i).slice(1);
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
    .join('; ');
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
): df.Task {
  return context.df.callSubOrchestrator(
    ORCHESTRATIONS.deployTarget,
    input,
    `${input.releaseId}:${input.target}:${purpose === 'deploy' ? 'ring' : 'ring-rollback'}`,
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
