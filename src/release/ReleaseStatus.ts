// Pure: the release model as the orchestration publishes it (custom status, then output) and the pages
// show it: the release's state, each stage's state, plan counts, approval and outcome.
import type { PlanDrift } from '../planning/PlanBasis';
import type { ResourceKind } from '../manifest/Bundle';
import type { KindSummary } from '../planning/DeployPlan';
import type { ReleaseSource } from './ReleaseInput';
import type { StagePolicies } from './StagePolicies';

export type ReleaseState =
  | 'validating'
  | 'running'
  | 'waiting'
  | 'succeeded'
  | 'failed'
  | 'invalid'
  | 'rejected'
  | 'expired'
  | 'superseded'
  /** A stage failed and put its environment's last known good bundle back (BRICKLANE_<ENV>_ROLLBACK=auto). */
  | 'rolledBack';

export type StageState =
  | 'pending'
  | 'planning'
  | 'waiting'
  | 'approved'
  | 'deploying'
  | 'checking'
  | 'succeeded'
  | 'failed'
  | 'rejected'
  | 'expired'
  | 'superseded'
  | 'skipped'
  | 'rollingBack'
  | 'rolledBack'
  /** Held by a deploy policy: its wait timer, outside its change window, or until its external checks pass. */
  | 'holding';

export interface ApprovalInfo {
  required: boolean;
  /** ISO time the approval link expires (while waiting). */
  expiresAt?: string;
  decision?: 'approve' | 'reject';
  approver?: string;
  comment?: string;
  decidedAt?: string;
  /** The plan this wait asks about (StoredPlan.planId); its links carry it, so they approve this plan only. */
  planId?: string;
  /** Distinct approvals needed, when more than one (BRICKLANE_<ENV>_APPROVALS_REQUIRED). */
  quorum?: number;
  /** Whoever asked for the release may not approve it (BRICKLANE_<ENV>_ALLOW_SELF_APPROVAL=false). */
  noSelfApproval?: true;
  /**
   * With a quorum: the approvals so far, in the order they came (web/renderApprovalPolicy.ts shows them).
   * Names and times only, so that the status stays small (at most ten; each comment is in its decision record).
   */
  approvals?: Array<{ approver: string; decidedAt: string }>;
}

/** One phase of a stage: when it began and, once over, ended (the orchestration's clock, ISO). */
export interface PhaseTime {
  startedAt: string;
  finishedAt?: string;
}

/**
 * Where a stage's time went, working (plan, apply) and waiting (for a person to approve, for another
 * release's apply to release the environment) apart, so that "took 1 min 12 s" never hides a 2 s deploy
 * behind a 70 s approval. When the stage planned again after drift, these are the last round's. Bounded:
 * four phases of two times each, and within the apply its provision and at most one span per wave
 * (deployEnvironment's timings), which boundReleaseStatus drops first.
 */
export interface StagePhases {
  plan?: PhaseTime;
  approval?: PhaseTime;
  lock?: PhaseTime;
  apply?: PhaseTime;
  /** The checks after the apply (bricklane.json `checks`). */
  checks?: PhaseTime;
  provision?: PhaseTime;
  waves?: WaveTime[];
}

/**
 * One wave of an apply (planning/waves.ts names it): a batched wave's span is its batch set's. The waves run
 * one after another, so the published status leaves out a `startedAt` that is the end of the span before it
 * (the provision's, or the wave's before), and the timeline reads it from there (compactStatus.ts).
 */
export interface WaveTime {
  wave: string;
  startedAt?: string;
  finishedAt?: string;
}

export interface StageStatus {
  environment: string;
  state: StageState;
  /** Plan counts per kind, zeros left out (compactStatus.ts); the full plan is a blob (see PlanRef). */
  plan?: PlanCounts;
  approval?: ApprovalInfo;
  startedAt?: string;
  finishedAt?: string;
  /** The stage's phases: working and waiting apart (startedAt..finishedAt spans all of them). */
  phases?: StagePhases;
  /** Steps done / failed when the stage finished. */
  outcome?: { done: number; failed: number; skipped: number };
  /** Short, secret-free reason for failed/rejected/expired/superseded. */
  message?: string;
  /** For a permanent failure: the command to run or the setting to change that fixes it. */
  fix?: string;
  /**
   * Which plan (StoredPlan.planId) was planned last, approved and applied. Approved and applied are the same
   * plan; when the workspace moved before an apply, the stage planned again (`replans`) and `drift` says why.
   */
  plans?: { planned: string; approved?: string; applied?: string; replans: number };
  /** Objects that moved between a plan and its apply (the first few), in words. */
  drift?: PlanDrift[];
  /** What the apply says beside its counts (a directory import that fell back to per-file imports). */
  notices?: string[];
  /** The bundle's checks run after the apply: one run per check job. */
  checks?: CheckStatus[];
  /** A ring (BRICKLANE_<ENV>_TARGETS): each workspace of the environment, canary first. */
  targets?: TargetStatus[];
  /** The environment's deploy policies (wait timer, change window, external checks) and what they did. */
  policies?: StagePolicies;
}

export type CheckState = 'pending' | 'running' | 'succeeded' | 'failed' | 'timedout' | 'canceled' | 'skipped';

/** One check's run, as the last look at it found it. */
export interface CheckStatus {
  job: string;
  runId: number;
  state: CheckState;
  /** Why it failed (the run's error), or what the service says while it runs. */
  message?: string;
  /** The run's page in the workspace. */
  url?: string;
  /** The run's start and end (the service's clock, ISO). */
  startedAt?: string;
  finishedAt?: string;
}

/**
 * Problems that make a bundle invalid. In the custom status: the count and the first few, shortened; the
 * full list is in release storage (ReleaseStorage bundleDiagnosticsBlob), where getRelease reads it.
 */
export interface DiagnosticsSummary {
  count: number;
  /** `<file> [<path>]: <summary>` of the first diagnostics (all of them once getRelease has read the list). */
  items: string[];
}

/** Diagnostics the custom status carries, at most, and how long each may be there. */
export const STATUS_DIAGNOSTICS = { items: 5, textLength: 300 } as const;

/**
 * The orchestration's custom status and, at the end, its output. The Durable extension fails the
 * orchestration when the custom status is over 16 KB in UTF-16, so everything that grows with the bundle,
 * the environments or people's text is bounded (compactStatus.ts).
 */
export interface ReleaseStatus {
  releaseId: string;
  bundleId: string;
  source: ReleaseSource;
  state: ReleaseState;
  startedAt: string;
  finishedAt?: string;
  stages: StageStatus[];
  /** Why the release ended as it did (failed, invalid, rejected, ...); short. */
  message?: string;
  /** For a permanent failure before any stage (staging the source): what fixes it. */
  fix?: string;
  /** When the bundle is invalid: how many problems, and the first few. */
  diagnostics?: DiagnosticsSummary;
  /**
   * Detail was left out to keep the status within its size budget: texts shortened further, diagnostics or
   * plan counts dropped, or (with very many environments) stages after the first ones.
   */
  condensed?: boolean;
}

/**
 * Counts per kind, zeros left out: `{ notebooks: { create: 6 } }`. A full PlanSummary (a plan's own, or a
 * status published before the counts were compacted) is one too.
 */
export type PlanCounts = Partial<Record<ResourceKind, Partial<KindSummary>>>;

/**
 * One workspace of a ring (BRICKLANE_<ENV>_TARGETS) as its stage publishes it (StageStatus.targets). A ring of 20
 * targets fits the custom status: boundReleaseStatus clips its texts like a stage's, drops its plan counts and run
 * pages with the stage's, and at the last resort keeps each target's key and state.
 */
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
