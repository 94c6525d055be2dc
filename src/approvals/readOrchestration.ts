// I/O: the orchestration's status through the durable client, or undefined when the instance does not
// exist (purged, or a task hub was reset). Any other failure throws OrchestrationLookupError.
import type { DurableClient } from 'durable-functions';
import { findOrchestration } from '../azure/findOrchestration';
import type { OrchestrationSnapshot } from './checkStageWaiting';

export async function readOrchestration(
  client: DurableClient,
  instanceId: string,
): Promise<OrchestrationSnapshot | undefined> {
  const status = await findOrchestration(client, instanceId);
  return (
    status && {
      runtimeStatus: String(status.runtimeStatus),
      customStatus: status.customStatus,
      input: status.input,
    }
  );
}
