// I/O: Databricks headers from an Entra ID identity (a service principal or the managed identity).
// Besides the Databricks token it sends an ARM token and the workspace resource id, so an identity that is
// a Contributor of the workspace but not yet a workspace user is admitted and added on first use
// (learn.microsoft.com, Azure Databricks "service principal authentication", SP management token).
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import type { DatabricksCredential } from '../databricks/DatabricksCredential';

/** The Azure Databricks first-party application. */
export const AZURE_DATABRICKS_SCOPE = '2ff814a6-3304-4ab8-85cb-cd0e6f879c1d/.default';
const ARM_SCOPE = 'https://management.azure.com/.default';
/** Azure Databricks refuses tokens expiring within 30 s; renew well before that. */
const REFRESH_MARGIN_IN_MS = 2 * 60_000;

export class EntraDatabricksCredential implements DatabricksCredential {
  readonly #credential: TokenCredential;
  readonly #workspaceResourceId: string;
  readonly #tokens = new Map<string, Promise<AccessToken>>();

  constructor(credential: TokenCredential, workspaceResourceId: string) {
    this.#credential = credential;
    this.#workspaceResourceId = workspaceResourceId;
  }

  async getHeaders(): Promise<Record<string, string>> {
    const [databricks, management] = await Promise.all([
      this.#token(AZURE_DATABRICKS_SCOPE),
      this.#token(ARM_SCOPE),
    ]);
    return {
      Authorization: `Bearer ${databricks.token}`,
      'X-Databricks-Azure-SP-Management-Token': management.token,
      'X-Databricks-Azure-Workspace-Resource-Id': this.#workspaceResourceId,
    };
  }

  /** One request per scope at a time, reused until it comes within the margin of expiry. */
  async #token(scope: string): Promise<AccessToken> {
    const cached = this.#tokens.get(scope);
    if (cached) {
      const token = await cached.catch(() => undefined);
      if (token && token.expiresOnTimestamp - Date.now() > REFRESH_MARGIN_IN_MS) return token;
      if (this.#tokens.get(scope) !== cached) return this.#token(scope);
    }
    const pending = this.#credential.getToken(scope).then((token) => {
      if (!token) throw new Error(`azure: no token was issued for ${scope}`);
      return token;
    });
    this.#tokens.set(scope, pending);
    pending.catch(() => this.#tokens.delete(scope));
    return pending;
  }
}
