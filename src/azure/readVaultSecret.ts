// I/O: reads one secret of an environment's Key Vault with the app's identity, and says what is wrong in
// terms an operator can act on: a missing secret names the `az keyvault secret set` command, a refusal names
// the identity, the vault and the role it needs. Error texts name the secret, never its value.
import type { TokenCredential } from '@azure/core-auth';
import type { EnvironmentSettings } from '../config/Settings';
import { SecretClient } from '@azure/keyvault-secrets';
import { AzureAccessError } from './AzureAccessError';
import { isForbidden, isNotFound } from './armErrorCode';
import { MissingSecretError } from './MissingSecretError';
import { principalIdOf } from './principalIdOf';
import { requiredRole } from './requiredRole';

export interface VaultRef {
  name: string;
  uri: string;
  /** ARM id of the vault, for the remediation message. */
  id: string;
}

/** The ARM id of the environment's vault (the scope named when access is refused). */
export function vaultIdOf(env: EnvironmentSettings): string {
  return `/subscriptions/${env.subscriptionId}/resourceGroups/${env.resourceGroup}/providers/Microsoft.KeyVault/vaults/${env.keyVaultName}`;
}

export interface VaultSecret {
  value: string;
  /** The Key Vault version id of the value (a new one on every `secret set`). */
  version: string;
}

export function vaultSecretClient(
  vault: VaultRef,
  credential: TokenCredential,
  options: { customEndpoints: boolean },
): SecretClient {
  // The challenge names the resource; off Azure's public endpoints (sovereign clouds, emulators) the vault
  // host is not *.vault.azure.net, so the resource check of the challenge must be relaxed there.
  return new SecretClient(vault.uri, credential, {
    disableChallengeResourceVerification: options.customEndpoints,
  });
}

/** The current version of `secretName`, with its value. */
export async function readVaultSecret(
  client: SecretClient,
  vault: VaultRef,
  credential: TokenCredential,
  secretName: string,
): Promise<VaultSecret> {
  try {
    const secret = await client.getSecret(secretName);
    if (!secret.value) throw new MissingSecretError(vault.name, secretName);
    return { value: secret.value, version: secret.properties.version ?? '' };
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
      `azure: reading secret ${secretName} from Key Vault ${vault.name} failed: ${error instanceof Error ? error.message : 'unknown error'}`,
      { cause: error },
    );
  }
}
