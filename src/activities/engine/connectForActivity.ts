// I/O: an activity's connection to its environment's workspace: credentials are resolved here, inside
// the activity, and never appear in its input or output.
import { connectWorkspace, type ConnectedWorkspace } from '../../azure/connectWorkspace';
import { environmentByName } from '../../config/loadSettings';
import type { EnvironmentSettings } from '../../config/Settings';
import type { DatabricksRequestInfo } from '../../databricks/DatabricksClientOptions';
import { DatabricksWorkspaceClient } from '../../databricks/DatabricksWorkspaceClient';
import { appServices } from './appServices';

export interface ActivityConnection {
  env: EnvironmentSettings;
  connected: ConnectedWorkspace;
  client: DatabricksWorkspaceClient | undefined;
}

export async function connectForActivity(
  environment: string,
  options: { create: boolean; onRequest?: (info: DatabricksRequestInfo) => void },
): Promise<ActivityConnection> {
  const services = appServices();
  const env = environmentByName(services.settings, environment);
  const connected = await connectWorkspace(services.settings, env, {
    create: options.create,
    appCredential: env.databricksAuth === 'token' ? undefined : services.credential(),
  });
  const ws = connected.workspace;
  const client = ws
    ? new DatabricksWorkspaceClient(ws.url, ws.credential, {
        scheduler: services.schedulerFor(ws.url),
        ...(options.onRequest ? { onRequest: options.onRequest } : {}),
      })
    : undefined;
  return { env, connected, client };
}
