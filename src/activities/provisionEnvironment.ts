// I/O (activity): creates what is missing of an environment (resource group, workspace, vault).
import type { EnvironmentRef, ProvisionResult } from './contracts';
import { connectForActivity } from './engine/connectForActivity';
import type { ActivityOptions } from 'durable-functions';
import { failuresAsData } from './failuresAsData';

export async function provisionEnvironment(input: EnvironmentRef): Promise<ProvisionResult> {
  const { connected } = await connectForActivity(input.environment, { create: true });
  return {
    ...(connected.azure ? { resourceGroup: connected.azure.resourceGroup } : {}),
    workspaceUrl: connected.workspace?.url ?? '',
    created: connected.azure?.created ?? [],
  };
}

/** Options for `df.app.activity('provisionEnvironment', provisionEnvironmentOptions)`: permanent failures come back as data. */
export const provisionEnvironmentOptions: ActivityOptions = { handler: failuresAsData(provisionEnvironment) };
