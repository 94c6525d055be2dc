// I/O: a finished release's record, kept in release storage (`records/<releaseId>.json`) when its durable
// history is purged (functions/purgeHistory.ts), so that GET /api/releases/{id} and the status page still
// answer for it. It is what those already show: the orchestration's runtime status, times, and its last
// custom status (bounded and secret-free, boundReleaseStatus); the output only of a completed release (its
// final status). A failed or terminated instance's output is the error text, with a stack trace and server
// paths, which no page shows: it is not kept.
// Each record has an entry in the time-ordered index (releaseRecordIndex.ts), written right after it, so that
// GET /api/releases lists archived releases newest first next to the live ones (listReleaseRecords).
import type { ReleaseStorage } from './ReleaseStorage';
import {
  deleteRecordIndexEntry,
  recordIndexEntries,
  writeRecordIndexEntry,
  type RecordIndexEntry,
} from './releaseRecordIndex';

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

const RECORDS_PREFIX = 'records/';
export const releaseRecordBlob = (releaseId: string): string =>
  `${RECORDS_PREFIX}${encodeURIComponent(releaseId)}.json`;

/**
 * Writes (or rewrites: the same release re-run and purged again) the record of a finished instance, then
 * its index entry; the record first, so that an entry always has its record. A rewrite for a re-run (a
 * later creation time) removes the entry of the earlier run.
 */
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
  const previous = await readReleaseRecord(storage, status.instanceId);
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
  await writeRecordIndexEntry(storage, entryOf(record));
  if (previous && previous.createdTime !== record.createdTime) {
    await deleteRecordIndexEntry(storage, entryOf(previous));
  }
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

/**
 * The `top` newest records (by creation time) of releases created at or after `since`, newest first, through
 * the index: it reads index names a page at a time and only the records it returns (plus any whose entry
 * turns out stale). Releases in `except` (those the caller lists from their live durable history) are left
 * out, so a release with both a record and a history appears once.
 */
export async function listReleaseRecords(
  storage: ReleaseStorage,
  query: { top: number; since: Date; except: ReadonlySet<string> },
): Promise<ReleaseRecord[]> {
  const found: ReleaseRecord[] = [];
  let wanted: RecordIndexEntry[] = [];
  const readWanted = async (): Promise<void> => {
    const records = await Promise.all(wanted.map((e) => readReleaseRecord(storage, e.releaseId)));
    // A record has one creation time, so of a release's entries only one matches it; any other is stale (a
    // re-run archived since, its old entry not yet deleted) and is skipped.
    records.forEach((record, i) => {
      if (record && record.createdTime === wanted[i]?.createdTime) found.push(record);
    });
    wanted = [];
  };
  for await (const entry of recordIndexEntries(storage, query.top + query.except.size)) {
    if (Date.parse(entry.createdTime) < query.since.getTime()) break;
    if (query.except.has(entry.releaseId)) continue;
    wanted.push(entry);
    if (found.length + wanted.length >= query.top) await readWanted();
    if (found.length >= query.top) break;
  }
  await readWanted();
  return found.slice(0, query.top);
}

/**
 * Indexes every record that has no index entry (records archived before the index existed, or by a worker
 * still running an older build): it lists the names of both, and reads only the records it indexes. Run by
 * purgeHistory before it archives; idempotent, and a no-op once everything is indexed. Returns how many
 * records it indexed.
 */
export async function indexUnindexedRecords(storage: ReleaseStorage): Promise<number> {
  await storage.ensureContainer();
  const indexed = new Set<string>();
  for await (const entry of recordIndexEntries(storage, 5000)) indexed.add(entry.releaseId);
  let count = 0;
  for await (const page of storage.container
    .listBlobsFlat({ prefix: RECORDS_PREFIX })
    .byPage({ maxPageSize: 100 })) {
    const ids = page.segment.blobItems
      .map((blob) => releaseIdOfRecordBlob(blob.name))
      .filter((id): id is string => id !== undefined && !indexed.has(id));
    const records = await Promise.all(ids.map((id) => readReleaseRecord(storage, id)));
    for (const record of records) {
      if (!record) continue;
      await writeRecordIndexEntry(storage, entryOf(record));
      count += 1;
    }
  }
  return count;
}

const entryOf = (record: ReleaseRecord): RecordIndexEntry => ({
  releaseId: record.instanceId,
  createdTime: record.createdTime,
});

/** The release a `records/<id>.json` name is the record of (releaseRecordBlob read backwards). */
function releaseIdOfRecordBlob(name: string): string | undefined {
  const encoded = /^records\/(.+)\.json$/.exec(name)?.[1];
  try {
    return encoded === undefined ? undefined : decodeURIComponent(encoded);
  } catch {
    return undefined; // A malformed escape: not a name releaseRecordBlob wrote.
  }
}

/** As the durable client's getStatus gives it (a Date, serialized with milliseconds), whatever the list gave. */
function iso(time: Date | string): string {
  return new Date(time).toISOString();
}
