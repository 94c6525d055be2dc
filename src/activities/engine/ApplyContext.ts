// I/O: what every apply wave shares: the workspace client, the bundle, and the ledger being updated.
import type { BundleSecretVault } from '../../azure/BundleSecretVault';
import type { DatabricksWorkspaceClient } from '../../databricks/DatabricksWorkspaceClient';
import type { Boundaries } from '../../manifest/Boundaries';
import type { Bundle } from '../../manifest/Bundle';
import type { PlanAction } from '../../planning/DeployPlan';
import type { Ledger } from '../../planning/Ledger';

export interface StepOutcome {
  key: string;
  action: PlanAction;
  status: 'done' | 'failed' | 'skipped';
  /** Cluster or job id when the step created or touched one. */
  id?: string;
  /** For failed and skipped steps: what went wrong, with no secret in it. */
  message?: string;
}

export interface ApplyProgress {
  wave: string;
  done: number;
  total: number;
}

export interface ApplyContext {
  client: DatabricksWorkspaceClient;
  bundle: Bundle;
  /**
   * The bundle's files were verified against its id when it was extracted (a staged bundle): they are
   * written without hashing them again. A folder on disk (the CLI) is checked at write time instead.
   */
  bundleVerified?: boolean;
  /** Mutated as steps succeed, so a failure mid-deploy still records what was done. */
  ledger: Ledger;
  /** ISO time for ledger entries. */
  now: () => string;
  /** Items a wave prepares at once (file bytes in memory). Default 32. */
  concurrency: number;
  /** How long to wait for a cluster to leave a transitional state before editing it. */
  clusterWaitTimeoutInMs: number;
  clusterPollIntervalInMs: number;
  onProgress?: (progress: ApplyProgress) => void;
  abortSignal?: AbortSignal;
  /**
   * The environment's boundaries: no file is written outside its roots, and `adopt` steps are written only
   * when it allows adoption. Absent: no root is trusted for adoption (adopt steps fail unwritten).
   */
  boundaries?: Boundaries;
  /** The environment's Key Vault, which the secrets wave copies from; absent in token mode. */
  vault?: BundleSecretVault;
  /**
   * Import new folders of source notebooks with one SOURCE directory import each (importNewFolders.ts) rather
   * than one import per notebook. Off unless true; the ledger's `directoryImport` record turns it off too.
   */
  directoryImport?: boolean;
  /** What the deploy summary says beside the outcomes (a directory import that fell back to per-file). */
  notices?: string[];
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
