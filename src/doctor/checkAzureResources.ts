// I/O: the reads a deploy starts with, tried with the app's identity and nothing else: GET the resource
// group, the Databricks workspace and the Key Vault through ARM. Read-only: a 404 is what provisioning
// would create ("will be created"), a 403 names the identity, the scope, the role and the command that
// grants it. provisionEnvironment makes the same reads but stops at the first refusal; a doctor reports
// every scope, so each read is tried on its own here.
import type { TokenCredential } from '@azure/core-auth';
import { AzureDatabricksManagementClient } from '@azure/arm-databricks';
import { ResourceManagementClient } from '@azure/arm-resources';
import { armErrorCode, isForbidden, isNotFound } from '../azure/armErrorCode';
import { KEY_VAULT_API_VERSION } from '../azure/provisionEnvironment';
import { requiredRole } from '../azure/requiredRole';
import { roleAssignmentCommand } from '../azure/roleAssignmentCommand';
import type { AzureSettings, EnvironmentSettings } from '../config/Settings';
import type { DoctorCheck } from './DoctorCheck';

/** The api-version provisionEnvironment reads and creates vaults with (generic resources API). */

export interface FoundResources {
  groupExists: boolean;
  /** Present when the workspace exists and is ready (provisioningState Succeeded). */
  workspace?: { id: string; url: string };
  vault?: { id: string; uri: string };
  /** True when every read was answered (found or not found) and nothing needs fixing first. */
  readable: boolean;
}

export interface AzureResourceChecks {
  checks: DoctorCheck[];
  found: FoundResources;
}

export async function checkAzureResources(
  azure: AzureSettings,
  env: EnvironmentSettings,
  credential: TokenCredential,
  principalId: string,
): Promise<AzureResourceChecks> {
  const groupScope = `/subscriptions/${env.subscriptionId}/resourceGroups/${env.resourceGroup}`;
  const vaultId = `${groupScope}/providers/Microsoft.KeyVault/vaults/${env.keyVaultName}`;
  const resources = new ResourceManagementClient(credential, env.subscriptionId, {
    endpoint: azure.armEndpoint,
  });
  const [group, workspace, vault] = await Promise.all([
    outcome(resources.resourceGroups.get(env.resourceGroup)),
    outcome(
      new AzureDatabricksManagementClient(credential, env.subscriptionId, {
        endpoint: azure.armEndpoint,
      }).workspaces.get(env.resourceGroup, env.workspaceName),
    ),
    outcome(resources.resources.getById(vaultId, KEY_VAULT_API_VERSION)),
  ]);
  const found: FoundResources = {
    groupExists: group.kind === 'found',
    readable: [group, workspace, vault].every((o) => o.kind === 'found' || o.kind === 'missing'),
  };
  const line = (name: string, read: Outcome<unknown>, roleName: string, detail: string): DoctorCheck =>
    describeRead({ environment: env.name, name }, read, { roleName, principalId, env, detail });

  let workspaceLine = line(`workspace ${env.workspaceName}`, workspace, 'Contributor', 'exists');
  if (workspace.kind === 'found') {
    const { id, workspaceUrl, provisioningState } = workspace.value;
    if (provisioningState && provisioningState !== 'Succeeded') {
      // provisionEnvironment refuses to deploy into such a workspace.
      found.readable = false;
      workspaceLine = {
        ...workspaceLine,
        status: 'fail',
        detail: `exists but is ${provisioningState}`,
        fix:
          'fix or delete it in the Azure portal (az databricks workspace delete --resource-group ' +
          `${env.resourceGroup} --name ${env.workspaceName}); a deploy creates it again`,
      };
    } else if (id && workspaceUrl) {
      found.workspace = { id, url: `https://${workspaceUrl.replace(/^https:\/\//, '')}` };
      workspaceLine = { ...workspaceLine, detail: `exists (${found.workspace.url})` };
    }
  }
  const vaultUri =
    vault.kind === 'found'
      ? (vault.value.properties as { vaultUri?: unknown } | undefined)?.vaultUri
      : undefined;
  if (typeof vaultUri === 'string') found.vault = { id: vaultId, uri: vaultUri };
  const checks = [
    line(
      `resource group ${env.resourceGroup}`,
      group,
      'Bricklane Resource Group Writer',
      `exists (${groupScope})`,
    ),
    workspaceLine,
    line(
      `key vault ${env.keyVaultName}`,
      vault,
      'Contributor',
      found.vault ? `exists (${found.vault.uri})` : 'exists',
    ),
  ];
  return { checks, found };
}

/** One read as a line: found, missing (provisioning creates it), refused (which role, where), or failed. */
function describeRead(
  base: { environment: string; name: string },
  read: Outcome<unknown>,
  context: { roleName: string; principalId: string; env: EnvironmentSettings; detail: string },
): DoctorCheck {
  if (read.kind === 'found') return { ...base, status: 'ok', detail: context.detail };
  if (read.kind === 'missing') {
    return { ...base, status: 'ok', detail: 'does not exist; will be created by the first deploy' };
  }
  if (read.kind === 'failed') {
    return {
      ...base,
      status: 'fail',
      detail: `the read failed: ${read.message}`,
      fix: 'check BRICKLANE_ARM_ENDPOINT and that this host reaches Azure Resource Manager, then run the doctor again',
    };
  }
  const role = requiredRole(context.roleName);
  const subscriptionScope = `/subscriptions/${context.env.subscriptionId}`;
  const scope =
    role.scope === 'environmentSubscription'
      ? subscriptionScope
      : `${subscriptionScope}/resourceGroups/${context.env.resourceGroup}`;
  return {
    ...base,
    status: 'fail',
    detail:
      `identity ${context.principalId} was refused (403 ${read.code ?? 'AuthorizationFailed'}): it needs the ` +
      `role "${role.name}" on ${scope}`,
    fix: roleAssignmentCommand(role, context.principalId, scope),
  };
}

type Outcome<T> =
  | { kind: 'found'; value: T }
  | { kind: 'missing' }
  | { kind: 'denied'; code: string | undefined }
  | { kind: 'failed'; message: string };

async function outcome<T>(read: Promise<T>): Promise<Outcome<T>> {
  try {
    return { kind: 'found', value: await read };
  } catch (error) {
    if (isNotFound(error)) return { kind: 'missing' };
    if (isForbidden(error)) return { kind: 'denied', code: armErrorCode(error).code };
    return { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
  }
}
