// Deterministic: an environment's checks after its apply. startChecks starts one run per check job and returns
// at once; then the orchestration waits on durable timers (no activity waits for a run), each wait longer than
// the last up to 30 s, and reads the runs with readChecks, until every run has ended or passed its timeout. A
// run past its timeout is cancelled and counts as timed out.
import type * as df from 'durable-functions';
import {
  ACTIVITIES,
  type CheckRunState,
  type EnvironmentChecks,
  type EnvironmentRef,
  type ReadChecksInput,
  type ReadChecksResult,
  type StartChecksInput,
  type StartChecksResult,
} from '../activities/contracts';
import type { CheckState, CheckStatus } from '../release/ReleaseStatus';
import { callStep } from './callStep';

/** The longest wait between two looks at the runs. */
const MAX_POLL_IN_MS = 30_000;
/** Each wait is this much longer than the one before (10 s, 15 s, ... 30 s by default). */
const POLL_GROWTH_IN_MS = 5_000;
const URL_LENGTH = 300;

/**
 * Runs the checks and keeps `onChange`'s view (`runs`) current after each look. Returns the failures in words
 * (each check that did not succeed, with its run's message), or undefined when every check passed.
 */
export function* runChecks(
  context: df.OrchestrationContext,
  ref: EnvironmentRef,
  checks: EnvironmentChecks,
  startedAt: string,
  onChange: (runs: CheckStatus[]) => void,
): Generator<df.Task, string | undefined, unknown> {
  const clock = (): number => context.df.currentUtcDateTime.getTime();
  const started = yield* callStep<StartChecksResult>(context, ACTIVITIES.startChecks, {
    ...ref,
    jobs: checks.jobs.map((c) => c.job),
    startedAt,
  } satisfies StartChecksInput);
  const begun = clock();
  const limitOf = new Map(checks.jobs.map((c) => [c.job, c.timeoutMinutes]));
  const deadlineOf = (job: string): number => begun + (limitOf.get(job) ?? 0) * 60_000;
  onChange(started.runs.map((r) => ({ job: r.job, runId: r.runId, state: 'pending' })));
  const timedOut = new Set<number>();
  let open = started.runs;
  for (let round = 0; open.length > 0; round++) {
    const now = clock();
    const poll = Math.min(checks.pollInSeconds * 1000 + round * POLL_GROWTH_IN_MS, MAX_POLL_IN_MS);
    // Never sleep far past the first timeout: the run is cancelled on time.
    const nextDeadline = Math.min(...open.map((r) => deadlineOf(r.job)));
    yield context.df.createTimer(new Date(now + Math.max(1_000, Math.min(poll, nextDeadline - now))));
    const cancel = open.filter((r) => deadlineOf(r.job) <= clock()).map((r) => r.runId);
    for (const runId of cancel) timedOut.add(runId);
    const read = yield* callStep<ReadChecksResult>(context, ACTIVITIES.readChecks, {
      ...ref,
      runs: started.runs,
      ...(cancel.length > 0 ? { cancel } : {}),
    } satisfies ReadChecksInput);
    const runs = read.runs.map((r) => statusOf(r, timedOut.has(r.runId), limitOf.get(r.job) ?? 0));
    onChange(runs);
    open = read.runs.filter((r) => !r.ended && !timedOut.has(r.runId));
    if (open.length === 0) {
      const failed = runs.filter((r) => r.state !== 'succeeded');
      if (failed.length === 0) return undefined;
      return failed
        .map((r) => `check ${r.job} ${wordsOf(r.state)}${r.message ? `: ${r.message}` : ''}`)
        .join('; ');
    }
  }
  return undefined;
}

function statusOf(run: CheckRunState, timedOut: boolean, timeoutMinutes: number): CheckStatus {
  const state: CheckState = timedOut ? 'timedout' : stateOf(run);
  const message = timedOut
    ? `did not finish within ${timeoutMinutes} min; the run was cancelled`
    : state === 'succeeded' || state === 'running' || state === 'pending'
      ? undefined
      : run.message;
  return {
    job: run.job,
    runId: run.runId,
    state,
    ...(message ? { message } : {}),
    ...(run.url ? { url: run.url.slice(0, URL_LENGTH) } : {}),
    ...(run.startTime ? { startedAt: new Date(run.startTime).toISOString() } : {}),
    ...(run.endTime && run.ended ? { finishedAt: new Date(run.endTime).toISOString() } : {}),
  };
}

/** Jobs API RunLifeCycleState and RunResultState, as a check's state. */
function stateOf(run: CheckRunState): CheckState {
  if (!run.ended)
    return run.lifeCycleState === 'RUNNING' || run.lifeCycleState === 'TERMINATING' ? 'running' : 'pending';
  if (run.lifeCycleState === 'SKIPPED') return 'skipped';
  if (run.resultState === 'SUCCESS') return 'succeeded';
  if (run.resultState === 'TIMEDOUT') return 'timedout';
  if (run.resultState === 'CANCELED') return 'canceled';
  return 'failed';
}

function wordsOf(state: CheckState): string {
  if (state === 'timedout') return 'timed out';
  if (state === 'canceled') return 'was cancelled';
  if (state === 'skipped') return 'was skipped';
  return 'failed';
}
