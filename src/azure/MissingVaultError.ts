// Pure: the environment's Key Vault does not exist (yet, or any more), so the service principal's secrets
// cannot be read; says how to create it. A deploy creates a missing vault itself, empty; a plan only looks.
export class MissingVaultError extends Error {
  readonly code = 'VaultNotFound';
  /** The command that creates the vault (its secrets are set afterwards: see MissingSecretError). */
  readonly fix: string;
  constructor(vaultName: string, resourceGroup: string, location: string) {
    const fix =
      `az keyvault create --name ${vaultName} --resource-group ${resourceGroup} --location ${location} ` +
      '--enable-rbac-authorization true, then set the databricks-dev-ops-* secrets in it';
    super(
      `azure: Key Vault ${vaultName} does not exist yet, so the service principal secrets cannot be read; ` +
        'run a deploy to create it, then set the databricks-dev-ops-* secrets',
    );
    this.name = 'MissingVaultError';
    this.fix = fix;
  }
}
