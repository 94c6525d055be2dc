// Test infrastructure: the local host killed at a chosen point of its own work, as Azure kills a worker
// (a scale-in, a platform upgrade, an out-of-memory kill). BRICKLANE_HOST_CRASH picks the point:
//   commit:<n>          right after the n-th episode commit is stored: its history is durable, the work it
//                       scheduled has not started (between two history commits)
//   activity:<n>:<ms>   <ms> after the n-th activity invocation started, its code still running
//   activity:<name>[@<instance part>]:<n>:<ms>
//                       the same, counting only invocations of the activity <name> (in an instance whose id
//                       contains <instance part>): a kill at a named moment of a release, e.g. inside the first
//                       readChecks (a check's run in progress) or applyWave@rollback (a rollback's apply)
// The kill is SIGKILL of this process: no handler, finally block or pending write runs, so in-flight work
// dies with the worker. Unset, nothing happens (the in-process sandbox and the tests never set it).

export type CrashPoint = 'commit' | 'activity';

interface CrashPlan {
  point: CrashPoint;
  at: number;
  delayInMs: number;
  /** Only invocations of this activity count. */
  activity?: string;
  /** ... in an instance whose id contains this. */
  instance?: string;
}

const counts: Record<CrashPoint, number> = { commit: 0, activity: 0 };
let plan: CrashPlan | undefined | null = null;

/**
 * Parses `commit:<n>`, `activity:<n>:<ms>` or `activity:<name>[@<instance part>]:<n>:<ms>`; undefined when the
 * text names no crash point.
 */
export function parseCrashPoint(text: string | undefined): CrashPlan | undefined {
  const match = /^(commit|activity):(?:([A-Za-z]+)(?:@([^:]+))?:)?(\d+)(?::(\d+))?$/.exec(text?.trim() ?? '');
  if (!match || (match[1] === 'commit' && match[2] !== undefined)) return undefined;
  return {
    point: match[1] as CrashPoint,
    at: Number(match[4]),
    delayInMs: Number(match[5] ?? 0),
    ...(match[2] !== undefined ? { activity: match[2] } : {}),
    ...(match[3] !== undefined ? { instance: match[3] } : {}),
  };
}

/**
 * Counts one pass through `point` (an activity's by its name and instance); on the planned pass the process
 * is killed (at once or after the delay).
 */
export function reachedCrashPoint(point: CrashPoint, activity?: { name: string; instanceId: string }): void {
  if (plan === null) plan = parseCrashPoint(process.env.BRICKLANE_HOST_CRASH);
  if (!plan || plan.point !== point) return;
  if (plan.activity !== undefined && plan.activity !== activity?.name) return;
  if (plan.instance !== undefined && !activity?.instanceId.includes(plan.instance)) return;
  counts[point] += 1;
  if (counts[point] !== plan.at) return;
  const kill = (): void => void process.kill(process.pid, 'SIGKILL');
  if (plan.delayInMs === 0) kill();
  else setTimeout(kill, plan.delayInMs);
}
