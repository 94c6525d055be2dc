// Deterministic: an environment's deploy policies, which hold its stage (state `holding`) until they let it go
// on: the wait timer (soak time after the previous environment), the change windows and the external checks.
// Every wait is a durable timer computed from context.df.currentUtcDateTime and the release's input (fixed when
// it started), so a replay schedules the same timers; every external check is one short activity call.
//
// Order, per stage (deployRelease calls this at the stage's start and again once it is approved):
//   wait timer -> plan -> approval (if required) -> change window -> external checks -> apply lock -> apply
// - The wait timer comes first: an approver is asked once the soak is over, about a plan made after it.
//   (GitHub: a wait timer and required reviewers are both protection rules a job waits on,
//   docs.github.com "Deployments and environments".)
// - The window and the checks come after the approval, as Azure DevOps runs its dynamic checks (Invoke REST
//   API, Business Hours, Azure Monitor alerts) with or after approvals and before the stage
//   (learn.microsoft.com/azure/devops/pipelines/process/approvals, "the order of checks"): approved at noon, a
//   deploy starts when the evening window opens, and the checks describe the world at that moment, not at noon.
//   A stage without an approval holds for them before it plans, so it never keeps the environment's apply lock
//   while it waits (its checks then get no plan counts).
// - A check that answers "fail" (or no valid answer) is asked again every interval until it passes or its
//   timeout, as Azure DevOps re-evaluates checks at their retry interval until their timeout, after which the
//   stage does not run. A passed check stays passed. If the checks pass after the window closed, the stage
//   waits for the next window and asks them again there.
// - A window that closes while the apply runs does not stop it: an apply stopped between waves would leave the
//   workspace half old, half new (jobs pointing at notebooks not yet written), which is worse than overrunning
//   a window by the minutes an apply takes; the window decides when an apply may START.
import type * as df from 'durable-functions';
import {
  ACTIVITIES,
  type CallExternalCheckInput,
  type CallExternalCheckResult,
} from '../activities/contracts';
import type { ChangeWindow } from '../config/parseChangeWindows';
import { changeWindowAt } from '../release/changeWindowAt';
import type { ReleaseInput } from '../release/ReleaseInput';
import type { ReleasePolicies } from '../release/ReleasePolicies';
import type { ReleaseStatus, StageStatus } from '../release/ReleaseStatus';
import type { ExternalCheckStatus, StagePolicies } from '../release/StagePolicies';
import { stepResult } from './callStep';
import { retryPolicy } from './retryPolicy';

/** The JavaScript SDK's longest single timer (as waitForApproval): longer waits are several timers. */
const MAX_TIMER_IN_MS = 6 * 24 * 3_600_000;
const MINUTE_IN_MS = 60_000;

/** `start`: as the stage begins, before it plans; `approved`: once its approval was given. */
export type PolicyMoment = 'start' | 'approved';

/**
 * Holds `stage` for its environment's policies due at `moment`, publishing what they do on `stage.policies`.
 * Returns undefined when the stage may go on (its state as it was), or the release's message when it may not:
 * an external check still failing at its timeout; the stage is then failed with the check's words.
 */
export function* applyPolicies(
  context: df.OrchestrationContext,
  input: ReleaseInput,
  status: ReleaseStatus,
  stage: StageStatus,
  moment: PolicyMoment,
  publish: () => void,
): Generator<df.Task, string | undefined, unknown> {
  const policies = input.policies?.[stage.environment];
  if (!policies) return undefined;
  const resume = stage.state;
  const hold = (): void => {
    stage.state = 'holding';
    publish();
  };
  if (moment === 'start') {
    // What the stage will wait for, shown from its start (the approval page names the window and the checks).
    const view: StagePolicies = (stage.policies = preview(policies, context));
    if (policies.waitMinutes) {
      const index = status.stages.indexOf(stage);
      const previous = index > 0 ? status.stages[index - 1] : undefined;
      // The previous environment's success in this release; for the release's first stage, the release's start
      // (GitHub's wait timer counts from when the job is triggered).
      const since = Date.parse(previous?.finishedAt ?? status.startedAt);
      const until = since + policies.waitMinutes * MINUTE_IN_MS;
      view.wait = { minutes: policies.waitMinutes, until: iso(until), passed: clock(context) >= until };
      publish();
      if (!view.wait.passed) {
        hold();
        yield* sleepUntil(context, until);
        view.wait.passed = true;
      }
    }
  }
  const gated = input.approvals[stage.environment]?.required ?? false;
  if (moment === 'approved' || !gated) {
    const failed = yield* windowAndChecks(context, input, stage, policies, hold);
    if (failed !== undefined) {
      stage.state = 'failed';
      stage.message = failed;
      stage.finishedAt = iso(clock(context));
      publish();
      return `${stage.environment} was held back: ${failed}`;
    }
  }
  stage.state = resume;
  publish();
  return undefined;
}

/** The window's state now and the checks, none asked yet. */
function preview(policies: ReleasePolicies, context: df.OrchestrationContext): StagePolicies {
  const windows = policies.changeWindows ?? [];
  const checks = policies.externalChecks?.names ?? [];
  return {
    ...(windows.length > 0 ? { window: windowView(windows, clock(context)) } : {}),
    ...(checks.length > 0
      ? { externalChecks: { checks: checks.map((name): ExternalCheckStatus => pending(name)) } }
      : {}),
  };
}

function windowView(windows: readonly ChangeWindow[], at: number): NonNullable<StagePolicies['window']> {
  const text = windows.map((w) => w.text).join('; ');
  const state = changeWindowAt(windows, at);
  return state.open
    ? { text, open: true, closesAt: iso(state.closesAt) }
    : { text, open: false, opensAt: iso(state.opensAt) };
}

function pending(name: string): ExternalCheckStatus {
  return { name, state: 'pending', attempts: 0 };
}

/** The window, then the checks; again from the window while the checks passed only after it closed. */
function* windowAndChecks(
  context: df.OrchestrationContext,
  input: ReleaseInput,
  stage: StageStatus,
  policies: ReleasePolicies,
  hold: () => void,
): Generator<df.Task, string | undefined, unknown> {
  const windows = policies.changeWindows ?? [];
  for (;;) {
    if (windows.length > 0) yield* waitForWindow(context, stage, windows, hold);
    if (policies.externalChecks) {
      const failed = yield* externalChecks(context, input, stage, policies.externalChecks, hold);
      if (failed !== undefined) return failed;
    }
    if (windows.length === 0 || changeWindowAt(windows, clock(context)).open) return undefined;
  }
}

function* waitForWindow(
  context: df.OrchestrationContext,
  stage: StageStatus,
  windows: readonly ChangeWindow[],
  hold: () => void,
): Generator<df.Task, void, unknown> {
  const view = (stage.policies ??= {});
  for (;;) {
    const at = clock(context);
    const state = changeWindowAt(windows, at);
    view.window = windowView(windows, at);
    if (state.open) return;
    hold();
    yield* sleepUntil(context, state.opensAt);
  }
}

/** Asks every check not passed yet, in parallel, every interval: undefined once all passed, or why not. */
function* externalChecks(
  context: df.OrchestrationContext,
  input: ReleaseInput,
  stage: StageStatus,
  config: NonNullable<ReleasePolicies['externalChecks']>,
  hold: () => void,
): Generator<df.Task, string | undefined, unknown> {
  const deadline = clock(context) + config.timeoutInMinutes * MINUTE_IN_MS;
  const checks = config.names.map(pending);
  const view: NonNullable<StagePolicies['externalChecks']> = { deadline: iso(deadline), checks };
  (stage.policies ??= {}).externalChecks = view;
  for (;;) {
    const open = checks.map((check, index) => ({ check, index })).filter((c) => c.check.state !== 'passed');
    const answers = (yield context.df.Task.all(
      open.map(({ check, index }) =>
        context.df.callActivityWithRetry(ACTIVITIES.callExternalCheck, retryPolicy(), {
          releaseId: input.releaseId,
          bundleId: input.bundleId,
          environment: stage.environment,
          check: index,
          name: check.name,
          attempt: check.attempts + 1,
          source: input.source,
          ...(stage.plan ? { plan: stage.plan } : {}),
        } satisfies CallExternalCheckInput),
      ),
    )) as unknown[];
    const at = iso(clock(context));
    open.forEach(({ check }, k) => {
      const answer = stepResult<CallExternalCheckResult>(answers[k]);
      check.attempts += 1;
      check.checkedAt = at;
      check.state = answer.outcome === 'pass' ? 'passed' : 'failing';
      const message = answer.message ?? (answer.outcome === 'fail' ? 'answered fail' : undefined);
      if (message !== undefined) check.message = message;
      else delete check.message;
    });
    const failing = checks.filter((c) => c.state !== 'passed');
    if (failing.length === 0) {
      delete view.nextAt;
      return undefined;
    }
    const now = clock(context);
    if (now >= deadline) {
      for (const check of failing) check.state = 'failed';
      delete view.nextAt;
      const minutes = config.timeoutInMinutes;
      return failing
        .map((c) => `external check ${c.name} still failed after ${minutes} min: ${c.message ?? 'no answer'}`)
        .join('; ');
    }
    const next = Math.min(deadline, now + config.intervalInMinutes * MINUTE_IN_MS);
    view.nextAt = iso(next);
    hold();
    yield context.df.createTimer(new Date(next));
  }
}

/** Durable timers until `until`, each at most MAX_TIMER_IN_MS. */
function* sleepUntil(context: df.OrchestrationContext, until: number): Generator<df.Task, void, unknown> {
  for (let now = clock(context); now < until; now = clock(context)) {
    yield context.df.createTimer(new Date(Math.min(until, now + MAX_TIMER_IN_MS)));
  }
}

function clock(context: df.OrchestrationContext): number {
  return context.df.currentUtcDateTime.getTime();
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
