import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerConflictError, LedgerStore } from '../../src/azure/LedgerStore';
import { Azurite } from '../emulator/Azurite';

describe('LedgerStore against Azurite', () => {
  let azurite: Azurite;
  beforeAll(async () => {
    azurite = await Azurite.start();
  });
  afterAll(async () => {
    await azurite.stop();
  });
  const storeIn = (containerName: string): LedgerStore =>
    new LedgerStore(BlobServiceClient.fromConnectionString(azurite.connectionString), containerName);

  it('reads an empty ledger for a new environment, then round-trips a write', async () => {
    const store = storeIn('ledger-roundtrip');
    const first = await store.read('dev');
    expect(first).toEqual({ ledger: { version: 1, environment: 'dev', entries: {} }, etag: undefined });
    const entries = { 'clusters.Small': { hash: 'abc', target: '0101-000000-aaaaaaaa', deployedAt: 'now' } };
    const etag = await store.write({ ...first.ledger, entries }, first.etag);
    const second = await store.read('dev');
    expect(second.etag).toBe(etag);
    expect(second.ledger.entries).toEqual(entries);
  });

  it('refuses a write based on a stale ETag, and a create when another deploy created it first', async () => {
    const store = storeIn('ledger-conflict');
    const a = await store.read('qa');
    const b = await store.read('qa');
    await store.write(
      { ...a.ledger, entries: { 'jobs.x': { hash: '1', target: '1', deployedAt: 't' } } },
      a.etag,
    );
    await expect(store.write(b.ledger, b.etag)).rejects.toBeInstanceOf(LedgerConflictError);
    const c = await store.read('qa');
    const etag = await store.write(c.ledger, c.etag);
    await expect(store.write(c.ledger, c.etag)).rejects.toThrow(/changed by another deploy/);
    expect((await store.read('qa')).etag).toBe(etag);
  });

  it('records the last known good with the one before it (another bundle), never an older one over it', async () => {
    const store = storeIn('ledger-known-good');
    const one = { bundleId: 'sha256-one', releaseId: 'release-1', at: '2026-12-01T10:00:00.000Z' };
    const two = { bundleId: 'sha256-two', releaseId: 'release-2', at: '2026-12-02T10:00:00.000Z' };
    await store.recordKnownGood('prod.weu', one);
    expect(await store.lastKnownGood('prod.weu')).toEqual(one);
    await store.recordKnownGood('prod.weu', two);
    expect(await store.lastKnownGood('prod.weu')).toEqual({ ...two, previous: one });
    // The same bundle again (another release of it) keeps the one before; an older record changes nothing.
    const again = { bundleId: 'sha256-two', releaseId: 'release-3', at: '2026-12-03T10:00:00.000Z' };
    await store.recordKnownGood('prod.weu', again);
    expect(await store.lastKnownGood('prod.weu')).toEqual({ ...again, previous: one });
    await store.recordKnownGood('prod.weu', one);
    expect(await store.lastKnownGood('prod.weu')).toEqual({ ...again, previous: one });
    // One level only: the one before carries none of its own.
    const four = { bundleId: 'sha256-four', releaseId: 'release-4', at: '2026-12-04T10:00:00.000Z' };
    await store.recordKnownGood('prod.weu', four);
    expect(await store.lastKnownGood('prod.weu')).toEqual({
      ...four,
      previous: { bundleId: 'sha256-two', releaseId: 'release-3', at: again.at },
    });
  });

  it('rejects a corrupted ledger blob with a message that says how to recover', async () => {
    const store = storeIn('ledger-corrupt');
    await store.write({ version: 1, environment: 'prod', entries: {} }, undefined);
    const blob = BlobServiceClient.fromConnectionString(azurite.connectionString)
      .getContainerClient('ledger-corrupt')
      .getBlockBlobClient('environments/prod/ledger.json');
    await blob.upload('{not json', 9);
    await expect(store.read('prod')).rejects.toThrow(/not valid JSON; restore it or delete it/);
  });
});
