// I/O: starts a release unless its instance already exists. Instance ids are derived (bundle, or
// repository + commit), so a redelivered webhook, a second upload of the same bundle or a double click
// answers the existing release instead of starting another, and a finished release is never overwritten.
// Only the extension's 404 counts as "no release yet" (with no release record left by a purge of its
// history): a lookup that fails otherwise throws (OrchestrationLookupError), because startNew on a finished
// id would replace that release: whatever host.json's overridableExistingInstanceStates says, the extension
// refuses a start only over a Running, Pending, ContinuedAsNew or Suspended instance
// (azure-functions-durable-extension OverridableStates.cs, ToDedupeStatuses), so this status read is the one
// extension call an acknowledgement needs besides the start. Deliveries of one push that reach this worker
// together (GitHub redelivers; a burst sends both at once) share one start: the later ones wait for it
// instead of racing it to the extension, which refuses all but one start and logs each refusal as a failed
// request.
import type * as df from 'durable-functions';
import { ORCHESTRATIONS } from '../activities/contracts';
import type { ReleaseInput } from '../release/ReleaseInput';
import { findOrchestration } from '../azure/findOrchestration';
import { releaseStartedEvents } from '../release/AuditEvent';
import { readReleaseRecord } from '../azure/releaseRecord';
import { appServices } from '../services/appServices';
import { appendAudit } from '../services/appendAudit';

export interface BeganRelease {
  releaseId: string;
  started: boolean;
  runtimeStatus?: string;
  statusUrl: string;
}

/** Starts under way in this worker, by release id. */
const starting = new Map<string, Promise<BeganRelease>>();

export async function beginRelease(
  client: df.DurableClient,
  input: ReleaseInput,
  publicUrl: string,
): Promise<BeganRelease> {
  const under = starting.get(input.releaseId);
  if (under) {
    // A failed start is not this delivery's answer: it tries on its own below.
    const first = await under.catch(() => undefined);
    if (first) return { ...first, started: false, runtimeStatus: first.runtimeStatus ?? 'Pending' };
  }
  const attempt = startOnce(client, input, publicUrl);
  starting.set(input.releaseId, attempt);
  try {
    return await attempt;
  } finally {
    if (starting.get(input.releaseId) === attempt) starting.delete(input.releaseId);
  }
}

async function startOnce(
  client: df.DurableClient,
  input: ReleaseInput,
  publicUrl: string,
): Promise<BeganRelease> {
  const statusUrl = `${publicUrl}/api/releases/${input.releaseId}`;
  const existing = await findOrchestration(client, input.releaseId);
  // A finished release whose durable history was purged (purgeHistory) is its release record: a redelivered
  // webhook or a second upload must not start it again (an old push redelivered would redeploy old code).
  const runtimeStatus = existing?.runtimeStatus
    ? String(existing.runtimeStatus)
    : (await readReleaseRecord(appServices().releases, input.releaseId))?.runtimeStatus;
  if (runtimeStatus) return { releaseId: input.releaseId, started: false, runtimeStatus, statusUrl };
  // The release's first audit record, before any of it can run (its plan's record follows). A failed append
  // fails the start, which the sender retries; the retry's record has the same id.
  await Promise.all(releaseStartedEvents(input).map(appendAudit));
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
