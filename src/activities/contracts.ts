// Pure: the names and payloads of activities and orchestrations, shared by the orchestrations (deterministic)
// and the activity implementations (I/O). Payloads are small references: release id, bundle id, environment
// name, batch numbers. Never file contents, never secrets. The release model they carry is in release/.
import type { BundleCheck } from '../manifest/Bundle';
import type { PlanSummary } from '../planning/DeployPlan';
import type { PlanDrift } from '../planning/PlanBasis';
import type { WaveName } from '../planning/waves';
import type { ReleaseSource, SourceToFetch } from '../release/ReleaseInput';
import type { NoticePolicy, ReleaseNotice } from '../release/ReleaseNotice';
import type { PlanCounts, StageState, TargetStatus } from '../release/ReleaseStatus';
import type { StageEndFacts } from '../release/AuditEvent';

export const ORCHESTRATIONS = {
  deployRelease: 'deployRelease',
  deployEnvironment: 'deployEnvironment',
  deployTarget: 'deployTarget',
} as const;

export const ACTIVITIES = {
  inspectBundle: 'inspectBundle',
  planEnvironment: 'planEnvironment',
  claimEnvironment: 'claimEnvironment',
  releaseEnvironment: 'releaseEnvironment',
  provisionEnvironment: 'provisionEnvironment',
  applyWave: 'applyWave',
  stageSource: 'stageSource',
  notify: 'notify',
  startChecks: 'startChecks',
  readChecks: 'readChecks',
  callExternalCheck: 'callExternalCheck',
} as const;

/**
 * A failure no retry can fix (a missing secret or role, a bad setting, a workspace that cannot be reached,
 * a refused token): activities return it as data, so the release ends at once with the stage failed, its
 * message and its fix, instead of retrying for minutes and ending with no word.
 */
export interface PermanentFailure {
  /** The error's code: SecretNotFound, AuthorizationFailed, InvalidSettings, WorkspaceUnreachable, ... */
  code: string;
  /** What went wrong; secret-free and short. */
  message: string;
  /** The command to run or the setting to change that fixes it. */
  fix: string;
}

/** What an activity returns instead of its result when it failed permanently. */
export interface ActivityFailed {
  ok: false;
  failure: PermanentFailure;
}

export function isActivityFailed(result: unknown): result is ActivityFailed {
  return (
    typeof result === 'object' &&
    result !== null &&
    (result as { ok?: unknown }).ok === false &&
    typeof (result as { failure?: unknown }).failure === 'object'
  );
}

export interface BundleRef {
  releaseId: string;
  bundleId: string;
}

export interface EnvironmentRef extends BundleRef {
  environment: string;
}

export interface InspectBundleInput extends BundleRef {
  /** The environments the release targets: the bundle is held to the boundaries of each. */
  environments?: string[];
}

export interface InspectBundleResult {
  valid: boolean;
  errorCount: number;
  /**
   * The first diagnostics, as text (at most STATUS_DIAGNOSTICS.items, each shortened); inspectBundle stores
   * them all for the status page.
   */
  diagnostics: string[];
  /** Items per wave, so the orchestration can size its batches. */
  /** `secrets`: scopes and keys; absent in histories recorded before secrets existed. */
  counts: {
    initScripts: number;
    clusters: number;
    files: number;
    jobs: number;
    secrets?: number;
    /** Absent in histories recorded before policies and permissions were deployed. */
    policies?: number;
    permissions?: number;
  };
  prune: boolean;
  /**
   * Per environment that runs the bundle's checks (bricklane.json `checks`, BRICKLANE_<ENV>_CHECKS): the jobs
   * and what a failure does. Absent (or no entry): the stage has no checks.
   */
  checks?: Record<string, EnvironmentChecks>;
  /**
   * Per environment with BRICKLANE_<ENV>_ROLLBACK=auto: its last known good (the ledger's lastKnownGood) as the
   * release starts, which a failed apply or blocking check there redeploys; `{}` when none passed yet. Absent
   * (or no entry): the environment does not roll back by itself.
   */
  rollback?: Record<string, { knownGood?: { bundleId: string; releaseId: string } }>;
  /**
   * Per environment that is a ring (BRICKLANE_<ENV>_TARGETS): its targets' keys, canary first, and how many of the
   * rest apply at once. Absent (or no entry): the environment is one workspace. A ring's rollback entries are per
   * target key.
   */
  rings?: Record<string, RingTargets>;
}

/** The workspaces of a ring, canary first, by key (`prod.weu`), and the bound on the rest in parallel. */
export interface RingTargets {
  targets: string[];
  parallel: number;
}

/** The checks of one environment, as inspectBundle read them from the bundle and the operator's settings. */
export interface EnvironmentChecks {
  jobs: BundleCheck[];
  /** A failed check fails the stage and stops the promotion (BRICKLANE_<ENV>_CHECKS_BLOCK). */
  block: boolean;
  /** Seconds before the first look at the runs (BRICKLANE_CHECKS_POLL_SECONDS). */
  pollInSeconds: number;
}

export interface StartChecksInput extends EnvironmentRef {
  jobs: string[];
  /**
   * When the release's execution started (ISO): with the release, environment and job it makes each run's
   * idempotency token, so a retried call starts no second run and a re-run of the release starts new ones.
   */
  startedAt: string;
}

export interface CheckRunRef {
  job: string;
  runId: number;
}

export interface StartChecksResult {
  runs: CheckRunRef[];
}

export interface ReadChecksInput extends EnvironmentRef {
  runs: CheckRunRef[];
  /** Runs past their timeout: cancelled before the runs are read. */
  cancel?: number[];
}

/** A check run as runs/get answered it (times in epoch ms; messages secret-free and short). */
export interface CheckRunState extends CheckRunRef {
  lifeCycleState: string;
  resultState?: string;
  /** The state message, or for a failed run its failed task's error (runs/get-output). */
  message?: string;
  url?: string;
  startTime?: number;
  endTime?: number;
  /** The run has ended (TERMINATED, SKIPPED, INTERNAL_ERROR). */
  ended: boolean;
}

export interface ReadChecksResult {
  runs: CheckRunState[];
}

export interface PlanEnvironmentResult {
  summary: PlanSummary;
  /** Steps that are not `unchanged`. */
  changes: number;
  /** The stored plan's id (StoredPlan.planId): the apply batches apply this plan and no other. */
  planId?: string;
  /**
   * The waves that apply steps (planning/waves.ts, `applies: 'changes'`) with something to write to the
   * workspace or the ledger; the others are left out of the apply (absent in histories recorded before it:
   * every wave with items runs).
   */
  waves?: WaveName[];
  /** The plan found the environment's workspace (absent in histories recorded before it). */
  workspaceExists?: boolean;
  /**
   * Objects the ledger deployed here that the bundle does not have and the plan keeps (prune is off), the first
   * 20 keys: after a rollback, what the failed bundle left in the workspace. Absent: none.
   */
  kept?: string[];
}

export interface ProvisionResult {
  resourceGroup?: string;
  workspaceUrl: string;
  created: string[];
}

export type { WaveName } from '../planning/waves';

export interface ApplyWaveInput extends EnvironmentRef {
  wave: WaveName;
  /** Files wave: which slice of the bundle's notebooks and files (sorted by key). */
  batch?: number;
  batchSize?: number;
  /** Lifecycle wave: the clusters the clusters wave created or edited. */
  clusterIds?: string[];
  /** The approved plan (StoredPlan.planId) this wave applies a slice of. */
  planId?: string;
}

export interface WaveResult {
  wave: WaveName;
  batch: number;
  done: number;
  failed: number;
  skipped: number;
  /** The first failures (secret-free messages). */
  failures: { key: string; message: string }[];
  touchedClusterIds?: string[];
  /** Objects that moved since the plan: the wave applied nothing (its steps count as skipped). */
  drift?: PlanDrift[];
  /** What the summary says beside the counts: a directory import that fell back to per-file imports. */
  notices?: string[];
}

export interface ClaimInput {
  releaseId: string;
  environment: string;
  /** `waiting`: record this release as the one waiting for approval (superseding an older waiter). */
  phase: 'waiting' | 'applying';
  /** When the release started (ISO): a later start supersedes an earlier one. */
  startedAt: string;
  /**
   * The instance that waits for the apply lock when it is not the release itself (a ring's target, the deployTarget
   * sub-orchestration): the one woken when the lock frees. The release still holds the lock.
   */
  waiter?: string;
}

/** Gives up a hold on an environment (releaseEnvironment). */
export interface ReleaseEnvironmentInput extends Pick<ClaimInput, 'releaseId' | 'environment' | 'phase'> {
  /**
   * The stage passed with this apply (it has no checks): record the bundle as the environment's last known
   * good (Ledger.lastKnownGood) before the lock is given up. `at`: the orchestration's clock, ISO.
   */
  knownGood?: { bundleId: string; at: string };
}

export interface ClaimResult {
  granted: boolean;
  /**
   * Not granted because a newer release waits for this environment, waits to apply there, or has applied
   * there: this release must stop (superseded), never wait.
   */
  superseded?: boolean;
  /** Release that holds the environment when not granted, or that was superseded. */
  other?: string;
}

export interface DeployEnvironmentInput extends EnvironmentRef {
  counts: InspectBundleResult['counts'];
  prune: boolean;
  batchSize: number;
  /** The approved plan (StoredPlan.planId). */
  planId?: string;
  /** The plan's waves with something to write (PlanEnvironmentResult.waves); absent: every wave with items. */
  waves?: WaveName[];
  /**
   * The plan found the workspace moments ago (no approval in between): there is nothing to provision, and
   * provisionEnvironment is not called. Absent: provisioning runs.
   */
  workspaceExists?: boolean;
}

/**
 * One workspace of a ring (the deployTarget sub-orchestration): take its apply lock, plan unless the plan was
 * approved, apply, give the lock back, run the environment's checks there, record its last known good.
 */
export interface DeployTargetInput extends BundleRef {
  /** The ring's environment (`prod`): its boundaries and checks. */
  environment: string;
  /** The target's key (`prod.weu`): its workspace, ledger, apply lock and stored plan. */
  target: string;
  /** When the release started (ISO): orders the apply locks and names the check runs. */
  startedAt: string;
  /** The bundle's counts and prune; absent (a rollback to the target's own last known good): inspected first. */
  bundle?: Pick<InspectBundleResult, 'counts' | 'prune'>;
  /** The environment's checks for this bundle (with `bundle`). */
  checks?: EnvironmentChecks;
  /** The target's approved plan; absent: the target plans once it holds its lock and applies that plan. */
  plan?: PlanEnvironmentResult;
  /** Puts this bundle back (the ring failed): the target ends rolledBack, or failed. */
  rollback?: boolean;
  /**
   * The ring's round of plans (2, 3: planned and approved again after a workspace moved); absent for the first.
   * Names this round's apply instances apart from the earlier rounds'.
   */
  round?: number;
}

/** How the target ended (TargetStatus), whether its apply started, and what a rollback's plan kept. */
export interface DeployTargetResult extends TargetStatus {
  /** Its apply started: the workspace may hold this bundle now, so a failed ring rolls it back. */
  applied: boolean;
  /** The plan's `kept` (PlanEnvironmentResult.kept). */
  kept?: string[];
  /**
   * It failed only because its workspace moved after its approved plan: the apply wrote nothing to what moved,
   * and the ring may plan it again and ask again.
   */
  moved?: boolean;
}

export interface DeployEnvironmentResult {
  /** A step failed permanently: nothing after it ran, and the stage fails with this. */
  failure?: PermanentFailure;
  done: number;
  failed: number;
  skipped: number;
  failures: { key: string; message: string }[];
  created: string[];
  /** Objects that moved since the plan was approved (the first few): the release plans and asks again. */
  drift?: PlanDrift[];
  /** The waves' notices (the first few), for the stage. */
  notices?: string[];
  /** When provision and each wave that ran began and ended (the orchestration's clock, ISO), for the timeline. */
  timings?: EnvironmentTimings;
}

/** A span of the orchestration's clock (context.df.currentUtcDateTime, ISO): replays give the same times. */
export interface TimeSpan {
  startedAt: string;
  finishedAt: string;
}

/** Where an apply's time went: at most one entry per wave of planning/waves.ts WAVES, in the order run. */
export interface EnvironmentTimings {
  provision?: TimeSpan;
  /** A batched wave's span is its batch set's (all batches run in parallel). */
  waves: (TimeSpan & { wave: string })[];
}

export interface StageSourceInput {
  releaseId: string;
  fetch: SourceToFetch;
}

/** A source that cannot be fetched or is not a bundle is a permanent failure, returned as data. */
export type StageSourceResult = { ok: true; bundleId: string } | ActivityFailed;

/** A notice, and for a stage's end its facts (when, apply counts, check runs, policies), which the audit trail keeps. */
export interface NotifyInput extends StageEndFacts {
  releaseId: string;
  environment: string;
  kind: 'approvalNeeded' | 'stageFinished';
  /** Stage state when it finished (succeeded, failed, rejected, expired, superseded). */
  state?: StageState;
  /** ISO expiry of the approval link (approvalNeeded). */
  expiresAt?: string;
  /** The plan the approval is asked for (approvalNeeded): the link carries it and approves that plan only. */
  planId?: string;
  message?: string;
  /** How to fix a permanent failure (a command or setting). */
  fix?: string;
  /** Where the bundle came from (approvalNeeded): the notice names the branch, commit and who asked. */
  source?: ReleaseNotice['source'];
  /**
   * The environment's policy state when the notice is sent: approvals of a quorum, the change window, the wait
   * timer, the external checks (a stage's published policy state fits as it is). The plan's counts and the code
   * diff's size are not passed: the activity reads them from release storage.
   */
  policy?: NoticePolicy;
  /**
   * A stage that failed after it deployed (stageFinished): the bundle that failed. With BRICKLANE_<ENV>_ROLLBACK=
   * manual the notice then carries a signed rollback link to the environment's last known good.
   */
  failedBundleId?: string;
  /** A ring's stage that failed: the targets (by key) that applied the failed bundle, each offered its own link. */
  appliedTargets?: string[];
}

/** One call of an environment's external check (callExternalCheck.ts has the contract with the endpoint). */
export interface CallExternalCheckInput extends EnvironmentRef {
  /** The check's place in BRICKLANE_<ENV>_EXTERNAL_CHECKS, and its name there (the URL stays in the settings). */
  check: number;
  name: string;
  /** 1 for the first call of this check in the stage. */
  attempt: number;
  source: ReleaseSource;
  /** The stage's plan counts, when it planned before its checks (a stage with an approval). */
  plan?: PlanCounts;
}

/** `error`: no valid answer (unreachable, too slow, not the contract); the stage shows it like a `fail`. */
export interface CallExternalCheckResult {
  outcome: 'pass' | 'fail' | 'error';
  /** The check's own message, or what was wrong with its answer; secret-free, one line, short. */
  message?: string;
}

/** Notifications never fail a release: the activity reports what happened instead of throwing. */
export interface NotifyResult {
  sent: boolean;
  reason?: string;
}
