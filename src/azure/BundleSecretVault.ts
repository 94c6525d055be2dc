// I/O: the environment's Key Vault as the secrets wave sees it: the current version of a secret (for the plan,
// which compares versions and never keeps a value) and the value with its version (for the apply, which writes
// it to Databricks at once). Same vault, identity and client as the service principal's secrets
// (readVaultSecret.ts): the Function App's managed identity with "Key Vault Secrets User".
import type { TokenCredential } from '@azure/core-auth';
import type { SecretClient } from '@azure/keyvault-secrets';
import type { EnvironmentSettings, Settings } from '../config/Settings';
import type { ConnectedWorkspace } from './connectWorkspace';
import {
  readVaultSecret,
  vaultIdOf,
  vaultSecretClient,
  type VaultRef,
  type VaultSecret,
} from './readVaultSecret';

export class BundleSecretVault {
  readonly #client: SecretClient;
  readonly #credential: TokenCredential;

  constructor(
    readonly vault: VaultRef,
    credential: TokenCredential,
    options: { customEndpoints: boolean },
  ) {
    this.#credential = credential;
    this.#client = vaultSecretClient(vault, credential, options);
  }

  get name(): string {
    return this.vault.name;
  }

  /**
   * The current version id of `secretName`. Key Vault has no call that returns the current version without its
   * value (getSecret returns both; the properties listing returns every version), so the value is read and
   * dropped here, inside this function: it is never returned, stored or logged.
   */
  async versionOf(secretName: string): Promise<string> {
    const { version } = await readVaultSecret(this.#client, this.vault, this.#credential, secretName);
    return version;
  }

  /** The value and its version: for the apply only, which writes the value and keeps the version. */
  read(secretName: string): Promise<VaultSecret> {
    return readVaultSecret(this.#client, this.vault, this.#credential, secretName);
  }
}

/** The environment's vault as connectWorkspace found it; undefined in token mode or before the vault exists. */
export function bundleSecretVaultOf(
  settings: Settings,
  env: EnvironmentSettings,
  connected: ConnectedWorkspace,
  credential: () => TokenCredential,
): BundleSecretVault | undefined {
  const vault = connected.azure?.keyVault;
  if (!vault) return undefined;
  return new BundleSecretVault({ ...vault, id: vaultIdOf(env) }, credential(), {
    customEndpoints: settings.azure.customEndpoints,
  });
}
