// Release records listed newest first through their time-ordered index, against Azurite: the order comes from
// the blob listing alone, the list reads only the records it returns, re-archiving (purgeHistory after a
// crash, or a re-run release purged again) leaves one entry per release, and records archived before the
// index existed are indexed once by indexUnindexedRecords.
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ReleaseStorage } from '../../src/azure/ReleaseStorage';
import {
  indexUnindexedRecords,
  listReleaseRecords,
  releaseRecordBlob,
  writeReleaseRecord,
} from '../../src/azure/releaseRecord';
import { RECORD_INDEX_PREFIX, recordIndexEntryOf } from '../../src/azure/releaseRecordIndex';
import { Azurite } from '../emulator/Azurite';

const NOW = new Date('2026-12-05T06:00:00.000Z');
const HOUR = 3_600_000;
const LONG_AGO = new Date(0);
const NONE = new Set<string>();

describe('release records listed through their index (Azurite)', () => {
  let azurite: Azurite | undefined;
  /** Each test its own container, so that they do not see each other's records. */
  let storageIn: (container: string) => ReleaseStorage;
  beforeAll(async () => {
    azurite = await Azurite.start();
    const service = BlobServiceClient.fromConnectionString(azurite.connectionString);
    storageIn = (container) => new ReleaseStorage(service, container);
  });
  afterAll(() => azurite?.stop());

  /** A finished release created `hoursAgo` before NOW, as the durable client reports it. */
  const finished = (instanceId: string, hoursAgo: number) => ({
    instanceId,
    runtimeStatus: 'Completed',
    createdTime: new Date(NOW.getTime() - hoursAgo * HOUR),
    lastUpdatedTime: new Date(NOW.getTime() - hoursAgo * HOUR + 60_000),
    customStatus: { releaseId: instanceId, stages: [] },
  });
  const idsOf = (records: readonly { instanceId: string }[]): string[] => records.map((r) => r.instanceId);
  async function indexNames(storage: ReleaseStorage): Promise<string[]> {
    const names: string[] = [];
    for await (const blob of storage.container.listBlobsFlat({ prefix: RECORD_INDEX_PREFIX })) {
      names.push(blob.name);
    }
    return names;
  }

  it('lists the newest records first, honouring top, the window and the releases listed live', async () => {
    const storage = storageIn('records-order');
    // Archived in an order unrelated to their age, and with ids that sort against it.
    for (const [id, hoursAgo] of [
      ['a-oldest', 900],
      ['z-newest', 1],
      ['m-middle', 50],
      ['b-second', 2],
      ['release/with ünïcode', 3],
    ] as const) {
      await writeReleaseRecord(storage, finished(id, hoursAgo), NOW);
    }
    const all = await listReleaseRecords(storage, { top: 10, since: LONG_AGO, except: NONE });
    expect(idsOf(all)).toEqual(['z-newest', 'b-second', 'release/with ünïcode', 'm-middle', 'a-oldest']);
    expect(all[0]).toMatchObject({
      version: 1,
      runtimeStatus: 'Completed',
      createdTime: new Date(NOW.getTime() - HOUR).toISOString(),
      archivedAt: NOW.toISOString(),
    });
    const top2 = await listReleaseRecords(storage, { top: 2, since: LONG_AGO, except: NONE });
    expect(idsOf(top2)).toEqual(['z-newest', 'b-second']);
    // Listed live by the caller: left out, and the next ones fill the page.
    const except = new Set(['z-newest', 'release/with ünïcode']);
    expect(idsOf(await listReleaseRecords(storage, { top: 2, since: LONG_AGO, except }))).toEqual([
      'b-second',
      'm-middle',
    ]);
    const since = new Date(NOW.getTime() - 100 * HOUR);
    expect(idsOf(await listReleaseRecords(storage, { top: 10, since, except: NONE }))).toEqual([
      'z-newest',
      'b-second',
      'release/with ünïcode',
      'm-middle',
    ]);
    // Each entry's name alone says which release and when.
    expect((await indexNames(storage)).map((n) => recordIndexEntryOf(n)?.releaseId)).toEqual(idsOf(all));
  });

  it('keeps one entry per release when a record is written again or rewritten for a re-run', async () => {
    const storage = storageIn('records-rerun');
    await writeReleaseRecord(storage, finished('first', 10), NOW);
    await writeReleaseRecord(storage, finished('second', 5), NOW);
    // purgeHistory again after a crash between archiving and purging: the same record, the same entry.
    await writeReleaseRecord(storage, finished('first', 10), NOW);
    expect(await indexNames(storage)).toHaveLength(2);
    // The release re-run an hour ago and purged again: listed once, at its new time.
    await writeReleaseRecord(storage, finished('first', 1), NOW);
    expect(await indexNames(storage)).toHaveLength(2);
    const listed = await listReleaseRecords(storage, { top: 10, since: LONG_AGO, except: NONE });
    expect(idsOf(listed)).toEqual(['first', 'second']);
    expect(listed[0]?.createdTime).toBe(new Date(NOW.getTime() - HOUR).toISOString());

    // Stale entries left behind (their deletion cut off), newer and older than the record's: neither is
    // listed, and neither takes a place in top.
    await storage.writeJson(`${RECORD_INDEX_PREFIX}${'0'.repeat(13)}-second`, {});
    await storage.writeJson(`${RECORD_INDEX_PREFIX}${'9'.repeat(12)}8-first`, {});
    const again = await listReleaseRecords(storage, { top: 2, since: LONG_AGO, except: NONE });
    expect(idsOf(again)).toEqual(['first', 'second']);
    expect(again.map((r) => r.createdTime)).toEqual(listed.map((r) => r.createdTime));
  });

  it('indexes records archived before the index existed, once', async () => {
    const storage = storageIn('records-backfill');
    await writeReleaseRecord(storage, finished('indexed', 3), NOW);
    // As the build before the index wrote them: the record alone.
    for (const [id, hoursAgo] of [
      ['old-one', 2],
      ['old-two', 30],
    ] as const) {
      const status = finished(id, hoursAgo);
      await storage.writeJson(releaseRecordBlob(id), {
        version: 1,
        ...status,
        createdTime: status.createdTime.toISOString(),
        lastUpdatedTime: status.lastUpdatedTime.toISOString(),
        archivedAt: NOW.toISOString(),
      });
    }
    await storage.writeJson('records/not-a-record.json', { hello: 'world' });
    const before = await listReleaseRecords(storage, { top: 10, since: LONG_AGO, except: NONE });
    expect(idsOf(before)).toEqual(['indexed']);

    expect(await indexUnindexedRecords(storage)).toBe(2);
    const after = await listReleaseRecords(storage, { top: 10, since: LONG_AGO, except: NONE });
    expect(idsOf(after)).toEqual(['old-one', 'indexed', 'old-two']);
    expect(await indexUnindexedRecords(storage)).toBe(0);
    expect(await indexNames(storage)).toHaveLength(3);
    // A release storage with nothing in it yet.
    expect(await indexUnindexedRecords(storageIn('records-none'))).toBe(0);
    expect(
      await listReleaseRecords(storageIn('records-none-yet'), { top: 5, since: LONG_AGO, except: NONE }),
    ).toEqual([]);
  });

  it('reads only the records it lists, however many are archived', async () => {
    const storage = storageIn('records-many');
    const count = 200;
    for (let start = 0; start < count; start += 25) {
      await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          writeReleaseRecord(storage, finished(`release-${start + i}`, start + i + 1), NOW),
        ),
      );
    }
    const reads = vi.spyOn(storage, 'readJson');
    const listed = await listReleaseRecords(storage, { top: 20, since: LONG_AGO, except: NONE });
    expect(idsOf(listed)).toEqual(Array.from({ length: 20 }, (_, i) => `release-${i}`));
    expect(reads).toHaveBeenCalledTimes(20);
  });
});
