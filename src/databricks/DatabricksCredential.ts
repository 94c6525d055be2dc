// Pure: how the workspace client obtains request headers, so PATs and AAD tokens plug in alike.

/**
 * Supplies the authentication headers of one request. Called before every attempt, so a credential that
 * refreshes tokens (AAD tokens expiring within 30 s are rejected by Azure Databricks) can hand out a fresh
 * one on retries.
 *
 * A service principal that is not yet a workspace user also returns `X-Databricks-Azure-SP-Management-Token`
 * and `X-Databricks-Azure-Workspace-Resource-Id` (learn.microsoft.com, "Authenticate with Azure service
 * principals"). Header values are secrets: the client never puts them into errors or logs.
 */
export interface DatabricksCredential {
  getHeaders(): Promise<Record<string, string>>;
}
