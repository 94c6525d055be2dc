// I/O: from an environment's settings to a workspace URL and a Databricks credential.
// Token mode uses what the operator configured. The Azure modes first provision (or, for a plan, only
// look up) the resource group, workspace and vault with the app's identity, then authenticate to
// Databricks as the vault's service principal (the seed's way) or as the app's managed identity.
import type { TokenCredential } from '@azure/core-auth';
import { ClientSecretCredential } from '@azure/identity';
import type { EnvironmentSettings, Settings } from '../config/Settings';
import type { DatabricksCredential } from '../databricks/DatabricksCredential';
import { StaticTokenCredential } from '../databricks/StaticTokenCredential';
import { createAzureCredential } from './createAzureCredential';
import { EntraDatabricksCredential } from './EntraDatabricksCredential';
import { MissingVaultError } from './MissingVaultError';
import type { ProvisionedEnvironment } from './ProvisionedEnvironment';
import { provisionEnvironment } from './provisionEnvironment';
import { readServicePrincipalSecrets } from './readServicePrincipalSecrets';
import { vaultIdOf } from './readVaultSecret';

export interface ConnectedWorkspace {
  /** Absent when the workspace does not exist yet and `create` was false. */
  workspace?: { url: string; credential: DatabricksCredential };
  /** Absent in token mode. */
  azure?: ProvisionedEnvironment;
}

export interface ConnectOptions {
  create: boolean;
  /** The app's identity; created from settings when absent. */
  appCredential?: TokenCredential;
}

export async function connectWorkspace(
  settings: Settings,
  env: EnvironmentSettings,
  options: ConnectOptions,
): Promise<ConnectedWorkspace> {
  if (env.databricksAuth === 'token') {
    return {
      workspace: {
        url: env.workspaceUrl ?? '',
        credential: new StaticTokenCredential(env.databricksToken ?? ''),
      },
    };
  }
  const appCredential = options.appCredential ?? createAzureCredential(settings.azure);
  const azure = await provisionEnvironment(settings.azure, env, appCredential, { create: options.create });
  if (!azure.workspace) return { azure };
  if (env.databricksAuth === 'managedIdentity') {
    return {
      azure,
      workspace: {
        url: azure.workspace.url,
        credential: new EntraDatabricksCredential(appCredential, azure.workspace.id),
      },
    };
  }
  if (!azure.keyVault) throw new MissingVaultError(env.keyVaultName, env.resourceGroup, env.location);
  const secrets = await readServicePrincipalSecrets(
    { ...azure.keyVault, id: vaultIdOf(env) },
    appCredential,
    {
      customEndpoints: settings.azure.customEndpoints,
    },
  );
  const servicePrincipal = new ClientSecretCredential(
    secrets.tenantId,
    secrets.clientId,
    secrets.clientSecret,
    {
      authorityHost: settings.azure.authorityHost,
      // Instance discovery asks the public cloud about the authority; a custom authority has no entry there.
      disableInstanceDiscovery: settings.azure.customEndpoints,
    },
  );
  return {
    azure,
    workspace: {
      url: azure.workspace.url,
      credential: new EntraDatabricksCredential(servicePrincipal, azure.workspace.id),
    },
  };
}
