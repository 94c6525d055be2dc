// I/O: reads the seed's service-principal secrets from an environment's vault.
// Called inside the code that uses them; the values never leave as outputs, logs or error texts.
import type { TokenCredential } from '@azure/core-auth';
import { SecretClient } from '@azure/keyvault-secrets';
import { AzureAccessError } from './AzureAccessError';
import { isForbidden, isNotFound } from './armErrorCode';
import { MissingSecretError } from './MissingSecretError';
import { principalIdOf } from './principalIdOf';
import { requiredRole } from './requiredRole';

/** The secret names of the Azure DevOps pipeline bricklane replaces, so its Key Vaults work unchanged. */
export const SERVICE_PRINCIPAL_SECRET_NAMES = {
  subscriptionId: 'databricks-dev-ops-subscription-id',
  tenantId: 'databricks-dev-ops-tenant-id',
  clientId: 'databricks-dev-ops-client-id',
  clientSecret: 'databricks-dev-ops-client-secret',
} as const;

export type ServicePrincipalSecrets = Record<keyof typeof SERVICE_PRINCIPAL_SECRET_NAMES, string>;

export interface VaultRef {
  name: string;
  uri: string;
  /** ARM id of the vault, for the remediation message. */
  id: string;
}

export async function readServicePrincipalSecrets(
  vault: VaultRef,
  credential: TokenCredential,
  options: { customEndpoints: boolean },
): Promise<ServicePrincipalSecrets> {
  // The challenge names the resource; off Azure's public endpoints (sovereign clouds, emulators) the vault
  // host is not *.vault.azure.net, so the resource check of the challenge must be relaxed there.
  const client = new SecretClient(vault.uri, credential, {
    disableChallengeResourceVerification: options.customEndpoints,
  });
  const read = async (secretName: string): Promise<string> => {
    try {
      const secret = await client.getSecret(secretName);
      if (!secret.value) throw new MissingSecretError(vault.name, secretName);
      return secret.value;
    } catch (error) {
      if (error instanceof MissingSecretError) throw error;
      if (isNotFound(error)) throw new MissingSecretError(vault.name, secretName);
      if (isForbidden(error)) {
        const principal = await principalIdOf(credential, 'https://vault.azure.net/.default');
        throw new AzureAccessError(
          principal,
          vault.id,
          requiredRole('Key Vault Secrets User', 'environmentResourceGroup'),
          `read secret ${secretName}`,
        );
      }
      throw new Error(
        `azure: reading secret ${secretName} from Key Vault ${vault.name} failed: ${describe(error)}`,
        { cause: error },
      );
    }
  };
  const entries = Object.entries(SERVICE_PRINCIPAL_SECRET_NAMES) as [keyof ServicePrincipalSecrets, string][];
  const values = await Promise.all(entries.map(([, name]) => read(name)));
  return Object.fromEntries(entries.map(([key], i) => [key, values[i] ?? ''])) as ServicePrincipalSecrets;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : 'unknown error';
}
