// I/O: a finished release's record, kept in release storage (`records/<releaseId>.json`) when its durable
// history is purged (functions/purgeHistory.ts), so that GET /api/releases/{id} and the status page still
// answer for it. It is what those already show: the orchestration's runtime status, times, and its last
// custom status (bounded and secret-free, boundReleaseStatus); the output only of a completed release (its
// final status). A failed or terminated instance's output is the error text, with a stack trace and server
// paths, which no page shows: it is not kept.
import type { ReleaseStorage } from './ReleaseStorage';

/** An orchestration's status as the durable client reports it (the fields the release view reads). */
export interface ArchivedOrchestration {
  instanceId: string;
  runtimeStatus: string;
  createdTime: string;
  lastUpdatedTime: string;
  customStatus?: unknown;
  output?: unknown;
}

export interface ReleaseRecord extends ArchivedOrchestration {
  version: 1;
  /** When the record was made (its history was purged right after). */
  archivedAt: string;
}

export const releaseRecordBlob = (releaseId: string): string =>
  `records/${encodeURIComponent(releaseId)}.json`;

/** Writes (or rewrites: the same release re-run and purged again) the record of a finished instance. */
export async function writeReleaseRecord(
  storage: ReleaseStorage,
  status: {
    instanceId: string;
    runtimeStatus: string;
    createdTime: Date | string;
    lastUpdatedTime: Date | string;
    customStatus?: unknown;
    output?: unknown;
  },
  now: Date,
): Promise<void> {
  const record: ReleaseRecord = {
    version: 1,
    instanceId: status.instanceId,
    runtimeStatus: status.runtimeStatus,
    createdTime: iso(status.createdTime),
    lastUpdatedTime: iso(status.lastUpdatedTime),
    ...(status.customStatus !== undefined && status.customStatus !== null
      ? { customStatus: status.customStatus }
      : {}),
    ...(status.runtimeStatus === 'Completed' && status.output !== undefined && status.output !== null
      ? { output: status.output }
      : {}),
    archivedAt: now.toISOString(),
  };
  await storage.writeJson(releaseRecordBlob(status.instanceId), record);
}

/** The release's record, or undefined when its history was never purged (or the blob is not a record). */
export async function readReleaseRecord(
  storage: ReleaseStorage,
  releaseId: string,
): Promise<ReleaseRecord | undefined> {
  const stored = await storage.readJson<Partial<ReleaseRecord> | null>(releaseRecordBlob(releaseId));
  const value = stored?.value;
  if (
    !value ||
    value.version !== 1 ||
    value.instanceId !== releaseId ||
    typeof value.runtimeStatus !== 'string' ||
    typeof value.createdTime !== 'string' ||
    typeof value.lastUpdatedTime !== 'string'
  )
    return undefined;
  return value as ReleaseRecord;
}

/** As the durable client's getStatus gives it (a Date, serialized with milliseconds), whatever the list gave. */
function iso(time: Date | string): string {
  return new Date(time).toISOString();
}
