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
}

export function emptyLedger(environment: string): Ledger {
  return { version: 1, environment, entries: {} };
}
