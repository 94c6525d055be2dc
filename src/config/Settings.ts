// Pure: operator configuration, read once from app settings. Environments live here, never in a bundle.

export interface EnvironmentSettings {
  /** Lower-case name used in keys, ledgers and approval events (`dev`, `qa`, `prod`). */
  name: string;
  /** Workspace URL, e.g. https://adb-1234567890123456.7.azuredatabricks.net */
  workspaceUrl: string;
  /** A Databricks token for the workspace (until the Azure identity chain replaces it). Secret. */
  databricksToken: string;
}

export interface Settings {
  /** In deploy order. */
  environments: EnvironmentSettings[];
  ledger: { connectionString: string; container: string };
  /** Requests in flight per workspace. Peers use 10–20; Databricks reports a 20-concurrent limit (ucx#401). */
  maxInFlight: number;
}
