// I/O: reads the seed's service-principal secrets from an environment's vault.
// Called inside the code that uses them; the values never leave as outputs, logs or error texts.
import type { TokenCredential } from '@azure/core-auth';
import { readVaultSecret, vaultSecretClient, type VaultRef } from './readVaultSecret';

/** The secret names of the Azure DevOps pipeline bricklane replaces, so its Key Vaults work unchanged. */
export const SERVICE_PRINCIPAL_SECRET_NAMES = {
  subscriptionId: 'databricks-dev-ops-subscription-id',
  tenantId: 'databricks-dev-ops-tenant-id',
  clientId: 'databricks-dev-ops-client-id',
  clientSecret: 'databricks-dev-ops-client-secret',
} as const;

export type ServicePrincipalSecrets = Record<keyof typeof SERVICE_PRINCIPAL_SECRET_NAMES, string>;

export async function readServicePrincipalSecrets(
  vault: VaultRef,
  credential: TokenCredential,
  options: { customEndpoints: boolean },
): Promise<ServicePrincipalSecrets> {
  const client = vaultSecretClient(vault, credential, options);
  const read = async (secretName: string): Promise<string> =>
    (await readVaultSecret(client, vault, credential, secretName)).value;
  const entries = Object.entries(SERVICE_PRINCIPAL_SECRET_NAMES) as [keyof ServicePrincipalSecrets, string][];
  const values = await Promise.all(entries.map(([, name]) => read(name)));
  return Object.fromEntries(entries.map(([key], i) => [key, values[i] ?? ''])) as ServicePrincipalSecrets;
}
