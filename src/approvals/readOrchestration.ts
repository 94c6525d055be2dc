// I/O: the orchestration's status through the durable client, or undefined when the instance does not
// exist (purged, or a task hub was reset).
import type { DurableClient } from 'durable-functions';
import type { OrchestrationSnapshot } from './checkStageWaiting';

export async function readOrchestration(
  client: DurableClient,
  instanceId: string,
): Promise<OrchestrationSnapshot | undefined> {
  try {
    const status = await client.getStatus(instanceId);
    return { runtimeStatus: String(status.runtimeStatus), customStatus: status.customStatus };
  } catch (error) {
    // durable-functions 3.5 turns the extension's 404 into a plain Error with this wording
    // (lib/src/durableClient/DurableClient.js, getStatus); everything else is a real failure.
    if (error instanceof Error && /replied with HTTP 404/.test(error.message)) return undefined;
    throw error;
  }
}
