// I/O (activity): creates what is missing of an environment (resource group, workspace, vault). A
// connection the plan resolved moments ago (appServices.connectionFor, kept CONNECTION_TTL_IN_MS) already
// says the workspace exists: provisioning then has nothing to create and asks Azure nothing, as the plan
// and the apply waves that use the same connection do. Only an environment without a workspace goes to
// ARM with `create: true`.
import type { EnvironmentRef, ProvisionResult } from './contracts';
import { connectForActivity } from './engine/connectForActivity';
import type { ActivityOptions } from 'durable-functions';
import { failuresAsData } from './failuresAsData';

export async function provisionEnvironment(input: EnvironmentRef): Promise<ProvisionResult> {
  const known = await connectForActivity(input.environment, { create: false });
  const { connected } = known.connected.workspace
    ? known
    : await connectForActivity(input.environment, { create: true });
  return {
    ...(connected.azure ? { resourceGroup: connected.azure.resourceGroup } : {}),
    workspaceUrl: connected.workspace?.url ?? '',
    created: connected.azure?.created ?? [],
  };
}

/** Options for `df.app.activity('provisionEnvironment', provisionEnvironmentOptions)`: permanent failures come back as data. */
export const provisionEnvironmentOptions: ActivityOptions = { handler: failuresAsData(provisionEnvironment) };
