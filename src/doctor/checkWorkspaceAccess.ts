// I/O: the workspace answers and accepts bricklane's credential, proven by the cheapest authenticated read
// (workspace/get-status of `/`, which every workspace user may make). The credential comes from
// connectWorkspace, exactly as a deploy gets it: the token of token mode, the vault's service principal
// signed in with Entra ID, or the app's managed identity. Azure Databricks answers a bad token with
// 403 "Invalid access token." (databricks-sdk-go #873, #917), some gateways with 401.
import type { TokenCredential } from '@azure/core-auth';
import { connectWorkspace } from '../azure/connectWorkspace';
import { SERVICE_PRINCIPAL_SECRET_NAMES } from '../azure/readServicePrincipalSecrets';
import type { EnvironmentSettings, Settings } from '../config/Settings';
import { DatabricksApiError } from '../databricks/DatabricksApiError';
import { DatabricksWorkspaceClient } from '../databricks/DatabricksWorkspaceClient';
import type { DoctorCheck } from './DoctorCheck';
import { settingFix, type DoctorRuntime } from './DoctorRuntime';

export interface WorkspaceAccessOptions {
  appCredential?: TokenCredential;
  /** The app identity's object id, for the role fix in managedIdentity mode. */
  principalId?: string;
  runtime: DoctorRuntime;
  /** Injected for tests: the network is faulted by injecting fetch. */
  fetch?: typeof fetch;
  timeoutInMs?: number;
}

export async function checkWorkspaceAccess(
  settings: Settings,
  env: EnvironmentSettings,
  options: WorkspaceAccessOptions,
): Promise<DoctorCheck> {
  const base = { environment: env.name, name: 'databricks sign-in' };
  const fixes = workspaceFixes(env, options, settings.azure.customEndpoints);
  let connected;
  try {
    connected = await connectWorkspace(settings, env, {
      create: false,
      ...(options.appCredential ? { appCredential: options.appCredential } : {}),
    });
  } catch (error) {
    return { ...base, status: 'fail', detail: messageOf(error), fix: fixes.signIn };
  }
  if (!connected.workspace) {
    return {
      ...base,
      status: 'skip',
      detail: 'the workspace does not exist yet; the first deploy creates it',
    };
  }
  const { url, credential } = connected.workspace;
  const client = new DatabricksWorkspaceClient(url, credential, {
    retry: { maxRetries: 1 },
    timeoutInMs: options.timeoutInMs ?? 10_000,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  try {
    await client.getWorkspaceObjectStatus('/');
    return { ...base, status: 'ok', detail: `${url} accepted the credential (${describeMode(env)})` };
  } catch (error) {
    if (!(error instanceof DatabricksApiError)) {
      // The credential could not produce a token: Entra ID refused the service principal, or no identity.
      return {
        ...base,
        status: 'fail',
        detail: `no token for ${url}: ${messageOf(error)}`,
        fix: fixes.signIn,
      };
    }
    if (error.kind === 'unauthenticated' || /invalid access token/i.test(error.message)) {
      return {
        ...base,
        status: 'fail',
        detail: `${url} rejected the token: ${error.message}`,
        fix: fixes.token,
      };
    }
    if (error.kind === 'permissionDenied') {
      return { ...base, status: 'fail', detail: `${url}: ${error.message}`, fix: fixes.permission };
    }
    if (error.statusCode === undefined) {
      return { ...base, status: 'fail', detail: `cannot reach ${url}: ${error.message}`, fix: fixes.reach };
    }
    return { ...base, status: 'fail', detail: `${url}: ${error.message}`, fix: fixes.reach };
  }
}

interface WorkspaceFixes {
  signIn: string;
  token: string;
  permission: string;
  reach: string;
}

function workspaceFixes(
  env: EnvironmentSettings,
  { runtime, principalId }: WorkspaceAccessOptions,
  customEndpoints: boolean,
): WorkspaceFixes {
  const prefix = `BRICKLANE_${env.name.toUpperCase()}_`;
  if (env.databricksAuth === 'token') {
    const token = settingFix(runtime, { [`${prefix}DATABRICKS_TOKEN`]: '<a valid token of the workspace>' });
    return {
      signIn: token,
      token: `create a token (workspace User Settings → Developer → Access tokens), then ${token}`,
      permission: `${token} (a token of a user or service principal with workspace access)`,
      reach: `check ${prefix}WORKSPACE_URL (https://adb-<id>.<n>.azuredatabricks.net) and that this host reaches it (DNS, firewall, private link)`,
    };
  }
  const workspaceId = `/subscriptions/${env.subscriptionId}/resourceGroups/${env.resourceGroup}/providers/Microsoft.Databricks/workspaces/${env.workspaceName}`;
  const reach = `check that this host reaches the workspace (private link, IP access lists${customEndpoints ? ', BRICKLANE_ARM_ENDPOINT' : ''})`;
  if (env.databricksAuth === 'managedIdentity') {
    return {
      signIn: runtime.inAzure
        ? `az functionapp identity assign --name ${runtime.siteName ?? '<function-app>'} --resource-group ${runtime.resourceGroup ?? '<resource-group>'}`
        : 'az login (locally the Azure CLI login is the app identity)',
      token: `make the app identity Contributor of the workspace (it is then admitted on first use): az role assignment create --assignee-object-id ${principalId ?? '<app identity object id>'} --assignee-principal-type ServicePrincipal --role Contributor --scope ${workspaceId}`,
      permission: `add the app identity to the workspace (Settings → Identity and access → Service principals) or make it Contributor of ${workspaceId}`,
      reach,
    };
  }
  const secret = SERVICE_PRINCIPAL_SECRET_NAMES.clientSecret;
  return {
    signIn:
      `create a new client secret for the service principal (az ad app credential reset --id <the ${SERVICE_PRINCIPAL_SECRET_NAMES.clientId} value>) ` +
      `and store it: az keyvault secret set --vault-name ${env.keyVaultName} --name ${secret} --value <the new secret>`,
    token: `check the service principal's ${secret} and ${SERVICE_PRINCIPAL_SECRET_NAMES.tenantId} in Key Vault ${env.keyVaultName}`,
    permission: `make the service principal Contributor of the workspace (it is then admitted on first use): az role assignment create --assignee <the ${SERVICE_PRINCIPAL_SECRET_NAMES.clientId} value> --role Contributor --scope ${workspaceId}`,
    reach,
  };
}

function describeMode(env: EnvironmentSettings): string {
  switch (env.databricksAuth) {
    case 'token':
      return 'token from app settings';
    case 'managedIdentity':
      return "the app's managed identity";
    case 'keyVaultServicePrincipal':
      return `service principal from Key Vault ${env.keyVaultName}`;
  }
}

/** First line only: SDK errors append long troubleshooting text; none of them carries a secret. */
function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]?.trim() ?? text;
}
