// I/O: one environment, start to end, in process (the CLI): ledger -> live state -> plan -> (apply ->
// ledger). The durable activities run the same steps in pieces: planEnvironment, then applyWave per wave.
import { performance } from 'node:perf_hooks';
import type { ApplyProgress, StepOutcome } from './ApplyContext';
import { applyPlan } from './applyPlan';
import { planWorkspace } from './planWorkspace';
import type { LedgerStore } from '../../azure/LedgerStore';
import type { DatabricksRequestInfo } from '../../databricks/DatabricksClientOptions';
import { DatabricksWorkspaceClient } from '../../databricks/DatabricksWorkspaceClient';
import type { RequestScheduler } from '../../databricks/RequestScheduler';
import type { DatabricksCredential } from '../../databricks/DatabricksCredential';
import type { BundleSecretVault } from '../../azure/BundleSecretVault';
import type { Boundaries } from '../../manifest/Boundaries';
import type { Bundle } from '../../manifest/Bundle';
import { canonicalJson } from '../../manifest/canonicalJson';
import type { DeployPlan } from '../../planning/DeployPlan';

export interface RequestCounts {
  total: number;
  writes: number;
  byEndpoint: Record<string, number>;
}

export interface DeployReport {
  environment: string;
  plan: DeployPlan;
  /** Absent for a plan-only run. */
  outcomes?: StepOutcome[];
  failed: boolean;
  requests: RequestCounts;
  durationInMs: number;
  ledgerWritten: boolean;
  /** What the summary says beside the outcomes: a directory import that fell back to per-file imports. */
  notices?: string[];
}

export interface DeployBundleOptions {
  environment: string;
  /** The workspace and how to authenticate to it (connectWorkspace); absent when it does not exist yet. */
  workspace: { url: string; credential: DatabricksCredential } | undefined;
  bundle: Bundle;
  ledgerStore: LedgerStore;
  maxInFlight: number;
  /** false: plan only. */
  apply: boolean;
  onProgress?: (progress: ApplyProgress) => void;
  clusterWaitTimeoutInMs?: number;
  /** The workspace's shared scheduler, when the caller has one (activities); else one of this run. */
  scheduler?: RequestScheduler;
  clusterPollIntervalInMs?: number;
  /** The environment's boundaries, held to at each write (ApplyContext.boundaries). */
  boundaries?: Boundaries;
  /** The environment's Key Vault, which the bundle's secrets are copied from (absent in token mode). */
  vault?: BundleSecretVault;
  /**
   * Import new folders of source notebooks as directory imports (default true; false: one import per notebook,
   * as before). The operator's BRICKLANE_DIRECTORY_IMPORT=off passes false; the ledger's record of a refusal
   * turns it off for that workspace either way.
   */
  directoryImport?: boolean;
}

export async function deployBundle(options: DeployBundleOptions): Promise<DeployReport> {
  const started = performance.now();
  const requests: RequestCounts = { total: 0, writes: 0, byEndpoint: {} };
  const count = (info: DatabricksRequestInfo): void => {
    requests.total += 1;
    requests.byEndpoint[info.endpoint] = (requests.byEndpoint[info.endpoint] ?? 0) + 1;
    if (info.method !== 'GET' && info.status !== undefined && info.status < 300) requests.writes += 1;
  };
  const envName = options.environment;
  // A workspace that does not exist yet holds nothing: the plan is to create everything.
  const client = options.workspace
    ? new DatabricksWorkspaceClient(options.workspace.url, options.workspace.credential, {
        maxInFlight: options.maxInFlight,
        ...(options.scheduler ? { scheduler: options.scheduler } : {}),
        onRequest: count,
      })
    : undefined;
  const {
    plan,
    live,
    ledger: stored,
  } = await planWorkspace(client, options.bundle, options.ledgerStore, envName, options.vault);
  if (!options.apply || !client) {
    return {
      environment: envName,
      plan,
      failed: false,
      requests,
      durationInMs: performance.now() - started,
      ledgerWritten: false,
    };
  }

  const ledger = { ...stored.ledger, entries: { ...stored.ledger.entries } };
  const before = canonicalJson([ledger.entries, ledger.directoryImport ?? null]);
  const notices: string[] = [];
  let result: Awaited<ReturnType<typeof applyPlan>> | undefined;
  let ledgerWritten = false;
  try {
    result = await applyPlan(
      {
        client,
        bundle: options.bundle,
        ledger,
        now: () => new Date().toISOString(),
        concurrency: Math.max(options.maxInFlight * 2, 8),
        clusterWaitTimeoutInMs: options.clusterWaitTimeoutInMs ?? 20 * 60_000,
        clusterPollIntervalInMs: options.clusterPollIntervalInMs ?? 5_000,
        onProgress: options.onProgress,
        ...(options.boundaries ? { boundaries: options.boundaries } : {}),
        ...(options.vault ? { vault: options.vault } : {}),
        directoryImport: options.directoryImport ?? true,
        notices,
      },
      plan,
      live,
    );
  } finally {
    // Written even after a failure, so that a re-run skips what this run already deployed.
    if (canonicalJson([ledger.entries, ledger.directoryImport ?? null]) !== before) {
      await options.ledgerStore.write({ ...ledger, updatedAt: new Date().toISOString() }, stored.etag);
      ledgerWritten = true;
    }
  }
  return {
    environment: envName,
    plan,
    outcomes: result.outcomes,
    failed: result.failed,
    requests,
    durationInMs: performance.now() - started,
    ledgerWritten,
    ...(notices.length > 0 ? { notices } : {}),
  };
}
