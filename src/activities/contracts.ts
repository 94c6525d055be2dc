// Pure: the names and payloads of activities and orchestrations, shared by the orchestrations
// (deterministic) and the activity implementations (I/O). Payloads are small references: release id,
// bundle id, environment name, batch numbers. Never file contents, never secrets.
import type { ResourceKind } from '../manifest/Bundle';
import type { KindSummary } from '../planning/DeployPlan';

export const ORCHESTRATIONS = {
  deployRelease: 'deployRelease',
  deployEnvironment: 'deployEnvironment',
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
} as const;

/** Where a release's bundle came from (shown on pages; never trusted for configuration). */
export interface ReleaseSource {
  kind: 'upload' | 'github' | 'azureRepos' | 'manual';
  commit?: string;
  ref?: string;
  repository?: string;
  /** Who or what asked: pusher, uploader, operator. */
  requestedBy?: string;
}

/** A commit to fetch and stage before the release can start (webhook-started releases). */
export type SourceToFetch =
  | { kind: 'github'; repository: string; commit: string }
  | { kind: 'azureRepos'; organizationUrl: string; project: string; repositoryId: string; commit: string };

/** Input of deployRelease. */
export interface ReleaseInput {
  releaseId: string;
  /**
   * The staged bundle's id (sha256 of its file list): the release approves exactly this content. Empty
   * when `fetch` is given: the first step stages the commit and the id comes from there.
   */
  bundleId: string;
  fetch?: SourceToFetch;
  source: ReleaseSource;
  /** Environments to run, in order (a subset of the configured ones, e.g. from `qa` on for a re-run). */
  environments: string[];
  /** Per environment: approval needed before it deploys, and how long the link is valid. */
  approvals: Record<string, { required: boolean; timeoutInHours: number }>;
}

export type ReleaseState =
  | 'validating'
  | 'running'
  | 'waiting'
  | 'succeeded'
  | 'failed'
  | 'invalid'
  | 'rejected'
  | 'expired'
  | 'superseded';

export type StageState =
  | 'pending'
  | 'planning'
  | 'waiting'
  | 'approved'
  | 'deploying'
  | 'succeeded'
  | 'failed'
  | 'rejected'
  | 'expired'
  | 'superseded'
  | 'skipped';

export interface ApprovalInfo {
  required: boolean;
  /** ISO time the approval link expires (while waiting). */
  expiresAt?: string;
  decision?: 'approve' | 'reject';
  approver?: string;
  comment?: string;
  decidedAt?: string;
}

export interface StageStatus {
  environment: string;
  state: StageState;
  /** Plan counts per kind; the full plan is a blob (see PlanRef). */
  plan?: Record<ResourceKind, KindSummary>;
  approval?: ApprovalInfo;
  startedAt?: string;
  finishedAt?: string;
  /** Steps done / failed when the stage finished. */
  outcome?: { done: number; failed: number; skipped: number };
  /** Short, secret-free reason for failed/rejected/expired/superseded. */
  message?: string;
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
 * the environments or people's text is bounded (orchestrations/boundReleaseStatus.ts).
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
  /** When the bundle is invalid: how many problems, and the first few. */
  diagnostics?: DiagnosticsSummary;
  /**
   * Detail was left out to keep the status within its size budget: texts shortened further, diagnostics or
   * plan counts dropped, or (with very many environments) stages after the first ones.
   */
  condensed?: boolean;
}

/** The event an approval decision raises: `approval:<env>`. */
export interface ApprovalEvent {
  decision: 'approve' | 'reject';
  approver: string;
  comment?: string;
  decidedAt: string;
}

export const approvalEventName = (environment: string): string => `approval:${environment}`;
export const SUPERSEDED_EVENT = 'superseded';

export interface BundleRef {
  releaseId: string;
  bundleId: string;
}

export interface EnvironmentRef extends BundleRef {
  environment: string;
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
  counts: { initScripts: number; clusters: number; files: number; jobs: number };
  prune: boolean;
}

export interface PlanEnvironmentResult {
  summary: Record<ResourceKind, KindSummary>;
  /** Steps that are not `unchanged`. */
  changes: number;
}

export interface ProvisionResult {
  resourceGroup?: string;
  workspaceUrl: string;
  created: string[];
}

export type WaveName = 'initScripts' | 'clusters' | 'files' | 'jobs' | 'lifecycle' | 'prune';

export interface ApplyWaveInput extends EnvironmentRef {
  wave: WaveName;
  /** Files wave: which slice of the bundle's notebooks and files (sorted by key). */
  batch?: number;
  batchSize?: number;
  /** Lifecycle wave: the clusters the clusters wave created or edited. */
  clusterIds?: string[];
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
}

export interface ClaimInput {
  releaseId: string;
  environment: string;
  /** `waiting`: record this release as the one waiting for approval (superseding an older waiter). */
  phase: 'waiting' | 'applying';
  /** When the release started (ISO): a later start supersedes an earlier one. */
  startedAt: string;
}

export interface ClaimResult {
  granted: boolean;
  /** Release that holds the environment when not granted, or that was superseded. */
  other?: string;
}

export interface DeployEnvironmentInput extends EnvironmentRef {
  counts: InspectBundleResult['counts'];
  prune: boolean;
  batchSize: number;
}

export interface DeployEnvironmentResult {
  done: number;
  failed: number;
  skipped: number;
  failures: { key: string; message: string }[];
  created: string[];
}

export interface StageSourceInput {
  releaseId: string;
  fetch: SourceToFetch;
}

/** A source that cannot be fetched or is not a bundle is a permanent failure, returned as data. */
export type StageSourceResult = { ok: true; bundleId: string } | { ok: false; message: string };

export interface NotifyInput {
  releaseId: string;
  environment: string;
  kind: 'approvalNeeded' | 'stageFinished';
  /** Stage state when it finished (succeeded, failed, rejected, expired, superseded). */
  state?: StageState;
  /** ISO expiry of the approval link (approvalNeeded). */
  expiresAt?: string;
  message?: string;
}

/** Notifications never fail a release: the activity reports what happened instead of throwing. */
export interface NotifyResult {
  sent: boolean;
  reason?: string;
}
