// Pure: what a release is asked to do (the input of deployRelease): which staged bundle or commit, where it
// came from, which environments, and the approval policy of each, fixed when the release starts.
import type { ReleasePolicies } from './ReleasePolicies';

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
  /**
   * Per environment with any: change windows, wait timer and external checks (by name), fixed when the release
   * starts like the approvals, so that a replay computes the same timers (applyPolicies.ts).
   */
  policies?: Record<string, ReleasePolicies>;
  /**
   * Per environment: approval needed before it deploys, how long the link is valid, the distinct approvals
   * needed when more than one (left out at 1, the default), and `noSelfApproval` when whoever asked for the
   * release may not approve it (approvals/checkSelfApproval.ts; shown on the pages).
   */
  approvals: Record<
    string,
    { required: boolean; timeoutInHours: number; quorum?: number; noSelfApproval?: true }
  >;
  /** A manual rollback (release/rollbackInputFor.ts): the one environment gets its last known good back. */
  rollback?: ManualRollback;
}

/** What makes a release a manual rollback (ReleaseInput.rollback). */
export interface ManualRollback {
  /** The release that failed in the environment. */
  of: string;
  /**
   * The failed release's start: the rollback takes the environment's apply lock as that release, so that a
   * release started after the failed one stays newer than the rollback (and is never superseded by it), and a
   * newer release that already applies there supersedes the rollback (claimEnvironment, latest wins).
   */
  orderedAt: string;
  knownGood: { bundleId: string; releaseId: string };
  /** Why, in words: the start of the stage's message. */
  reason: string;
}
