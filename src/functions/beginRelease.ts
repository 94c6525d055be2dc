// I/O: starts a release unless its instance already exists. Instance ids are derived (bundle, or
// repository + commit), so a redelivered webhook, a second upload of the same bundle or a double click
// answers the existing release instead of starting another, and a finished release is never overwritten.
// Only the extension's 404 counts as "no release yet": a lookup that fails otherwise throws
// (OrchestrationLookupError), because startNew on a finished id would replace that release.
import type * as df from 'durable-functions';
import { ORCHESTRATIONS } from '../activities/contracts';
import type { ReleaseInput } from '../release/ReleaseInput';
import { findOrchestration } from '../azure/findOrchestration';

export interface BeganRelease {
  releaseId: string;
  started: boolean;
  runtimeStatus?: string;
  statusUrl: string;
}

export async function beginRelease(
  client: df.DurableClient,
  input: ReleaseInput,
  publicUrl: string,
): Promise<BeganRelease> {
  const statusUrl = `${publicUrl}/api/releases/${input.releaseId}`;
  const existing = await findOrchestration(client, input.releaseId);
  if (existing?.runtimeStatus) {
    return {
      releaseId: input.releaseId,
      started: false,
      runtimeStatus: String(existing.runtimeStatus),
      statusUrl,
    };
  }
  try {
    await client.startNew(ORCHESTRATIONS.deployRelease, { instanceId: input.releaseId, input });
  } catch (error) {
    // Two deliveries of one push can race past the check above; the extension refuses the second start
    // (a 500 carrying OrchestrationAlreadyExistsException), which is the idempotent outcome we want.
    const now = await findOrchestration(client, input.releaseId);
    if (!now?.runtimeStatus) throw error;
    return {
      releaseId: input.releaseId,
      started: false,
      runtimeStatus: String(now.runtimeStatus),
      statusUrl,
    };
  }
  return { releaseId: input.releaseId, started: true, statusUrl };
}
