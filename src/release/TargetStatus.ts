// Pure: one workspace of a ring (BRICKLANE_<ENV>_TARGETS) as its stage publishes it (StageStatus.targets). A ring
// of 20 targets fits the custom status: boundReleaseStatus clips its texts like a stage's, drops its plan counts
// and run pages with the stage's, and at the last resort keeps each target's key and state.
import type { PlanCounts } from './compactStatus';
import type { CheckStatus, PhaseTime, StageState } from './ReleaseStatus';

export interface TargetStatus {
  /** The target's key (`prod.weu`): its workspace, ledger, apply lock and plan go by it. */
  target: string;
  state: StageState;
  /** Plan counts, zeros left out (compactStatus.ts); the full plan is stored under the target's key. */
  plan?: PlanCounts;
  /** Steps done / failed / skipped when its apply ended. */
  outcome?: { done: number; failed: number; skipped: number };
  /** Short, secret-free: why it failed, was not started, or what it rolled back to. */
  message?: string;
  /** For a permanent failure: the command to run or the setting to change that fixes it. */
  fix?: string;
  /** Its checks' runs (the environment's checks, run in this workspace). */
  checks?: CheckStatus[];
  /** Its apply, waits for its lock left out (the orchestration's clock, ISO). */
  apply?: PhaseTime;
  startedAt?: string;
  finishedAt?: string;
}
