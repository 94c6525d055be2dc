// I/O: the time-ordered index of release records, so that the release list can read the newest archived
// releases without reading every record. One small blob per record, `record-index/<key>-<releaseId>`,
// where <key> is the release's creation time in milliseconds subtracted from 9999999999999 and padded to
// 13 digits: Blob Storage lists names in alphabetical order (learn.microsoft.com/rest/api/storageservices/
// enumerating-blob-resources, "The operation returns entities in alphabetical order"; Azurite sorts by name
// too: LokiBlobMetadataStore.listBlobs), so a prefix listing gives the newest release first, and its names
// alone say which release and when. Blob index tags were the other candidate, but Find Blobs by Tags returns
// matches in no documented order and cannot sort; a name is what both Azure and Azurite order by.
// The name is a function of the release and its creation time, so writing an entry again (purgeHistory run
// again after a crash) writes the same blob.
import { RestError } from '@azure/storage-blob';
import type { ReleaseStorage } from './ReleaseStorage';

export const RECORD_INDEX_PREFIX = 'record-index/';
/** Later than any creation time this app will see (2286-11-20), so every key is 13 digits. */
const LATEST_MS = 9_999_999_999_999;
const KEY_DIGITS = 13;

/** What an index entry's name says: the release, and when it was created. */
export interface RecordIndexEntry {
  releaseId: string;
  /** ISO 8601, as the record has it (milliseconds). */
  createdTime: string;
}

export const recordIndexBlob = (entry: RecordIndexEntry): string =>
  `${RECORD_INDEX_PREFIX}${String(LATEST_MS - Date.parse(entry.createdTime)).padStart(KEY_DIGITS, '0')}-${encodeURIComponent(entry.releaseId)}`;

/** The entry a blob name stands for, or undefined for a name this module did not write. */
export function recordIndexEntryOf(blobName: string): RecordIndexEntry | undefined {
  const match = new RegExp(`^${RECORD_INDEX_PREFIX}(\\d{${KEY_DIGITS}})-(.+)$`).exec(blobName);
  if (!match?.[1] || !match[2]) return undefined;
  try {
    const createdTime = new Date(LATEST_MS - Number(match[1])).toISOString();
    return { releaseId: decodeURIComponent(match[2]), createdTime };
  } catch {
    return undefined; // A malformed escape, or a key out of Date's range.
  }
}

/** Writes (or writes again: same name, same content) the entry of a record. */
export async function writeRecordIndexEntry(storage: ReleaseStorage, entry: RecordIndexEntry): Promise<void> {
  const { releaseId, createdTime } = entry;
  await storage.writeJson(recordIndexBlob(entry), { version: 1, releaseId, createdTime });
}

/** Removes an entry that no longer matches its record (the release was re-run and archived again). */
export async function deleteRecordIndexEntry(
  storage: ReleaseStorage,
  entry: RecordIndexEntry,
): Promise<void> {
  await storage.container.getBlockBlobClient(recordIndexBlob(entry)).deleteIfExists();
}

/**
 * Every entry, newest release first, read a listing page at a time (`pageSize` names per request): the
 * caller stops when it has what it needs. Nothing when release storage has no container yet.
 */
export async function* recordIndexEntries(
  storage: ReleaseStorage,
  pageSize: number,
): AsyncGenerator<RecordIndexEntry> {
  const pages = storage.container
    .listBlobsFlat({ prefix: RECORD_INDEX_PREFIX })
    .byPage({ maxPageSize: Math.min(Math.max(pageSize, 1), 5000) });
  try {
    for await (const page of pages) {
      for (const blob of page.segment.blobItems) {
        const entry = recordIndexEntryOf(blob.name);
        if (entry) yield entry;
      }
    }
  } catch (error) {
    if (error instanceof RestError && error.statusCode === 404) return;
    throw error;
  }
}
