// I/O: makes sure an environment's resource group, Databricks workspace and Key Vault exist.
// Create if missing, never overwrite: every resource is read first and only a 404 leads to a PUT, so an
// existing vault (often created by IT) keeps its settings and secrets. The seed's Initialize-KeyVault
// mode re-created the vault and wiped its secrets; that is the flaw this replaces.
import { createHash } from 'node:crypto';
import type { TokenCredential } from '@azure/core-auth';
import { AzureDatabricksManagementClient } from '@azure/arm-databricks';
import { ResourceManagementClient } from '@azure/arm-resources';
import type { AzureSettings, EnvironmentSettings } from '../config/Settings';
import { AzureAccessError } from './AzureAccessError';
import { armErrorCode, isForbidden, isNotFound } from './armErrorCode';
import type { ProvisionedEnvironment } from './ProvisionedEnvironment';
import { principalIdOf, tokenClaims } from './principalIdOf';
import { requiredRole } from './requiredRole';

const ARM_SCOPE = 'https://management.azure.com/.default';
export const KEY_VAULT_API_VERSION = '2023-07-01';

export interface ProvisionOptions {
  /** false: only look (for plans); nothing is created. */
  create: boolean;
}

export async function provisionEnvironment(
  azure: AzureSettings,
  env: EnvironmentSettings,
  credential: TokenCredential,
  options: ProvisionOptions,
): Promise<ProvisionedEnvironment> {
  // The new modular ARM clients default to the management.azure.com scope whatever the endpoint.
  const clientOptions = { endpoint: azure.armEndpoint };
  const resources = new ResourceManagementClient(credential, env.subscriptionId, clientOptions);
  const databricks = new AzureDatabricksManagementClient(credential, env.subscriptionId, clientOptions);
  const subscriptionScope = `/subscriptions/${env.subscriptionId}`;
  const groupScope = `${subscriptionScope}/resourceGroups/${env.resourceGroup}`;
  const created: string[] = [];
  const tags = { 'managed-by': 'bricklane', 'bricklane-environment': env.name };

  const denied = async (error: unknown, scope: string, roleName: string, action: string): Promise<never> => {
    if (!isForbidden(error)) throw error;
    throw new AzureAccessError(
      await principalIdOf(credential, ARM_SCOPE),
      scope,
      requiredRole(roleName),
      action,
    );
  };

  // Resource group.
  let groupExists = true;
  try {
    await resources.resourceGroups.get(env.resourceGroup);
  } catch (error) {
    if (!isNotFound(error))
      await denied(error, subscriptionScope, 'Bricklane Resource Group Writer', 'read resource groups');
    groupExists = false;
  }
  if (!groupExists) {
    if (!options.create) return { resourceGroup: env.resourceGroup, created };
    try {
      await resources.resourceGroups.createOrUpdate(env.resourceGroup, { location: env.location, tags });
    } catch (error) {
      await denied(
        error,
        subscriptionScope,
        'Bricklane Resource Group Writer',
        `create resource group ${env.resourceGroup}`,
      );
    }
    created.push('resourceGroup');
  }

  // Databricks workspace.
  let workspace;
  try {
    workspace = await databricks.workspaces.get(env.resourceGroup, env.workspaceName);
  } catch (error) {
    if (!isNotFound(error))
      await denied(error, groupScope, 'Contributor', `read workspace ${env.workspaceName}`);
  }
  if (!workspace && options.create) {
    try {
      workspace = await databricks.workspaces.beginCreateOrUpdateAndWait(
        env.resourceGroup,
        env.workspaceName,
        {
          location: env.location,
          sku: { name: env.workspaceSku },
          computeMode: 'Hybrid',
          managedResourceGroupId: `${subscriptionScope}/resourceGroups/${managedResourceGroupName(env.workspaceName, groupScope)}`,
          tags,
        },
      );
    } catch (error) {
      await denied(error, groupScope, 'Contributor', `create Databricks workspace ${env.workspaceName}`);
    }
    created.push('workspace');
  }
  if (workspace && workspace.provisioningState && workspace.provisioningState !== 'Succeeded') {
    throw new Error(
      `azure: Databricks workspace ${env.workspaceName} is ${workspace.provisioningState}; ` +
        'fix or delete it in the Azure portal, then run the deploy again',
    );
  }
  if (workspace && (!workspace.id || !workspace.workspaceUrl)) {
    throw new Error(
      `azure: ARM returned Databricks workspace ${env.workspaceName} without an id or workspaceUrl`,
    );
  }

  // Key Vault (through the generic resources API: no Key Vault management package is a dependency).
  const vaultId = `${groupScope}/providers/Microsoft.KeyVault/vaults/${env.keyVaultName}`;
  let vault;
  try {
    vault = await resources.resources.getById(vaultId, KEY_VAULT_API_VERSION);
  } catch (error) {
    if (!isNotFound(error))
      await denied(error, groupScope, 'Contributor', `read Key Vault ${env.keyVaultName}`);
  }
  if (!vault && options.create) {
    const tenantId = (await tokenClaims(credential, ARM_SCOPE)).tid;
    try {
      vault = await resources.resources.beginCreateOrUpdateByIdAndWait(vaultId, KEY_VAULT_API_VERSION, {
        location: env.location,
        tags,
        properties: {
          tenantId,
          sku: { family: 'A', name: 'standard' },
          // Access through Azure RBAC only, and recoverable: a deleted vault cannot take its secrets with it.
          enableRbacAuthorization: true,
          enableSoftDelete: true,
          softDeleteRetentionInDays: 90,
          enablePurgeProtection: true,
        },
      });
    } catch (error) {
      const { code } = armErrorCode(error);
      if (code === 'ConflictError' || code === 'VaultAlreadyExists') {
        throw new Error(
          `azure: the Key Vault name ${env.keyVaultName} is taken (names are global, and a soft-deleted vault keeps ` +
            `its name for 90 days). Recover it with "az keyvault recover --name ${env.keyVaultName}" or set ` +
            `BRICKLANE_${env.name.toUpperCase()}_KEY_VAULT to another name`,
          { cause: error },
        );
      }
      await denied(error, groupScope, 'Contributor', `create Key Vault ${env.keyVaultName}`);
    }
    created.push('keyVault');
  }
  const vaultUri = (vault?.properties as { vaultUri?: unknown } | undefined)?.vaultUri;
  return {
    resourceGroup: env.resourceGroup,
    ...(workspace?.id && workspace.workspaceUrl
      ? {
          workspace: {
            id: workspace.id,
            url: `https://${workspace.workspaceUrl.replace(/^https:\/\//, '')}`,
          },
        }
      : {}),
    ...(typeof vaultUri === 'string' ? { keyVault: { name: env.keyVaultName, uri: vaultUri } } : {}),
    created,
  };
}

/**
 * The seed's ARM template named the managed resource group `databricks-rg-<workspace>-<uniqueString>`;
 * the suffix is derived from the workspace's resource group so that re-runs pick the same name.
 */
export function managedResourceGroupName(workspaceName: string, groupScope: string): string {
  const unique = createHash('sha256')
    .update(`${groupScope.toLowerCase()}|${workspaceName}`)
    .digest('hex')
    .slice(0, 13);
  return `databricks-rg-${workspaceName}-${unique}`;
}
