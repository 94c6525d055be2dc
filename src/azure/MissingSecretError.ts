// Pure: a Key Vault secret bricklane needs is not there; says which one and how to set it.

export class MissingSecretError extends Error {
  readonly code = 'SecretNotFound';
  /** The command that sets the secret. */
  readonly fix: string;
  constructor(
    readonly vaultName: string,
    readonly secretName: string,
  ) {
    const fix = `az keyvault secret set --vault-name ${vaultName} --name ${secretName} --value <value>`;
    super(`azure: Key Vault ${vaultName} has no secret "${secretName}". Set it with: ${fix}`);
    this.name = 'MissingSecretError';
    this.fix = fix;
  }
}
