// Pure: a Key Vault secret bricklane needs is not there; says which one and how to set it.

export class MissingSecretError extends Error {
  readonly code = 'SecretNotFound';
  constructor(
    readonly vaultName: string,
    readonly secretName: string,
  ) {
    super(
      `azure: Key Vault ${vaultName} has no secret "${secretName}". Set it with: ` +
        `az keyvault secret set --vault-name ${vaultName} --name ${secretName} --value <value>`,
    );
    this.name = 'MissingSecretError';
  }
}
