// I/O: an activity's connection to its environment's workspace: credentials are resolved here, inside
// the activity, and never appear in its input or output.
import { bundleSecretVaultOf, type BundleSecretVault } from '../../azure/BundleSecretVault';
import type { ConnectedWorkspace } from '../../azure/connectWorkspace';
import type { EnvironmentSettings } from '../../config/Settings';
import type { DatabricksRequestInfo } from '../../databricks/DatabricksClientOptions';
import { DatabricksWorkspaceClient } from '../../databricks/DatabricksWorkspaceClient';
import { appServices } from '../../services/appServices';

export interface ActivityConnection {
  env: EnvironmentSettings;
  connected: ConnectedWorkspace;
  client: DatabricksWorkspaceClient | undefined;
  /** The environment's Key Vault, for the secrets the bundle copies; undefined in token mode. */
  vault: BundleSecretVault | undefined;
}

export async function connectForActivity(
  environment: string,
  options: { create: boolean; onRequest?: (info: DatabricksRequestInfo) => void },
): Promise<ActivityConnection> {
  const services = appServices();
  // Resolved once per environment for a while (ARM, Key Vault, token), not on every activity call.
  const { env, connected } = await services.connectionFor(environment, { create: options.create });
  const ws = connected.workspace;
  const client = ws
    ? new DatabricksWorkspaceClient(ws.url, ws.credential, {
        scheduler: services.schedulerFor(ws.url),
        ...(options.onRequest ? { onRequest: options.onRequest } : {}),
      })
    : undefined;
  const vault = bundleSecretVaultOf(services.settings, env, connected, services.credential);
  return { env, connected, client, vault };
}
