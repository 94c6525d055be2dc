// Pure: the per-environment record of what bricklane deployed, kept as one JSON blob.
// The ledger is what lets a fresh runner skip unchanged artifacts (databricks/cli PR#5166 re-uploads
// everything on a new CI machine because its state lives on the runner).

export interface LedgerEntry {
  /** sha256 of what was written: file bytes, or canonical JSON of the cluster spec / resolved job settings. */
  hash: string;
  /** Workspace path, `dbfs:/` path, cluster id or job id. */
  target: string;
  deployedAt: string;
}

export interface Ledger {
  version: 1;
  environment: string;
  updatedAt?: string;
  /** Keyed by resource key (`clusters.Small`, `notebooks./Shared/bricklane/etl/ingest`). */
  entries: Record<string, LedgerEntry>;
  /**
   * Set when this environment's workspace refused a directory import, or imported one differently from the
   * plan: later deploys import its notebooks one by one without trying again. Delete it to try again.
   */
  directoryImport?: DirectoryImportFallback;
  /**
   * The last bundle that deployed here and passed its checks (or had none): what a rollback redeploys. Written
   * when the stage gives its apply lock back after its checks passed (releaseEnvironment), never by an apply alone.
   */
  lastKnownGood?: KnownGood;
}

export interface KnownGood {
  bundleId: string;
  releaseId: string;
  /** ISO time the stage passed (the orchestration's clock). */
  at: string;
  /**
   * The known good before this one, when it was another bundle: a ring's target that passed in a release that then
   * failed in another target recorded that release's bundle, and its manual rollback puts this one back
   * (release/rollbackOffer.ts, knownGoodBefore), as the automatic one does with the record it read at the start.
   */
  previous?: Omit<KnownGood, 'previous'>;
}

export interface DirectoryImportFallback {
  /** ISO time of the refusal. */
  fallbackAt: string;
  /** What the workspace answered or listed (no secret: API messages are redacted by the client). */
  reason: string;
}

export function emptyLedger(environment: string): Ledger {
  return { version: 1, environment, entries: {} };
}
