// A staged bundle on an activity host: extracted once, verified against its id (one hash per file), and
// loaded from the verified digests; a blob altered in storage, or a cache marker edited on disk, is refused.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReleaseStorage, stagedBundleBlob } from '../../../src/azure/ReleaseStorage';
import { loadBundle } from '../../../src/sources/loadBundle';
import { materializeBundle, StagedBundleError } from '../../../src/sources/materializeBundle';
import { stageBundle } from '../../../src/sources/stageBundle';
import { Azurite } from '../../emulator/Azurite';

const ARTIFACTS = resolve(__dirname, '..', '..', '..', 'artifacts');

describe('materializeBundle', () => {
  let azurite: Azurite;
  let storage: ReleaseStorage;
  let cache: string;

  beforeAll(async () => {
    azurite = await Azurite.start();
    storage = new ReleaseStorage(
      BlobServiceClient.fromConnectionString(azurite.connectionString),
      'materialize-test',
    );
    cache = mkdtempSync(join(tmpdir(), 'bricklane-cache-'));
  });
  afterAll(async () => {
    await azurite?.stop();
    rmSync(cache, { recursive: true, force: true });
  });

  it('hands the verified digests to loadBundle, which then gives the same bundle without hashing', async () => {
    const { bundleId, files } = await stageBundle(storage, ARTIFACTS);
    const staged = await materializeBundle(storage, bundleId, cache);
    expect(staged.files).toHaveLength(files);
    const plain = await loadBundle(staged.dir);
    const fromDigests = await loadBundle(staged.dir, { digests: staged.files });
    expect(fromDigests).toEqual(plain);
    // The digests are taken as given (they were verified against the id), not computed again.
    const notebook = plain.bundle?.notebooks[0];
    const forged = staged.files.map((f) =>
      f.path === notebook?.source ? { ...f, sha256: '0'.repeat(64) } : f,
    );
    const trusted = await loadBundle(staged.dir, { digests: forged });
    expect(trusted.bundle?.notebooks[0]?.sha256).toBe('0'.repeat(64));
  });

  it('unpacks a staged bundle that compresses far better than 100:1 (many alike notebooks in one tar.gz)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bricklane-alike-'));
    mkdirSync(join(dir, 'notebooks'));
    // 40 notebooks of 512 KiB, alike: 20 MiB, over the 16 MiB any archive may unpack to, at some 1000:1.
    const body = `# Databricks notebook source\n${'display(spark.range(10))\n'.repeat(21_000)}`;
    for (let i = 0; i < 40; i++) writeFileSync(join(dir, 'notebooks', `n${i}.py`), body);
    const { bundleId } = await stageBundle(storage, dir);
    const blob = await storage.container.getBlockBlobClient(stagedBundleBlob(bundleId)).getProperties();
    expect(40 * body.length).toBeGreaterThan(100 * (blob.contentLength ?? 0));
    expect((await materializeBundle(storage, bundleId, cache)).files).toHaveLength(40);
    rmSync(dir, { recursive: true, force: true });
  });

  it('unpacks once per host: a later call finds the verified folder and its digests on disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bricklane-once-'));
    writeFileSync(join(dir, 'README.md'), 'once\n');
    const { bundleId } = await stageBundle(storage, dir);
    const first = await materializeBundle(storage, bundleId, cache);
    await storage.container.getBlockBlobClient(stagedBundleBlob(bundleId)).delete();
    expect(await materializeBundle(storage, bundleId, cache)).toEqual(first);

    // A marker whose digests were edited does not hash to the id: the folder is extracted again (and the
    // blob is gone, so that fails).
    const marker = `${first.dir}.complete`;
    writeFileSync(marker, readFileSync(marker, 'utf8').replace(/"size":5/, '"size":6'));
    await expect(materializeBundle(storage, bundleId, cache)).rejects.toThrow();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a staged blob altered in storage', async () => {
    const a = mkdtempSync(join(tmpdir(), 'bricklane-a-'));
    const b = mkdtempSync(join(tmpdir(), 'bricklane-b-'));
    writeFileSync(join(a, 'README.md'), 'a\n');
    writeFileSync(join(b, 'README.md'), 'b\n');
    const staged = await stageBundle(storage, a);
    const other = await stageBundle(storage, b);
    const bytes = await storage.container
      .getBlockBlobClient(stagedBundleBlob(other.bundleId))
      .downloadToBuffer();
    await storage.container.getBlockBlobClient(stagedBundleBlob(staged.bundleId)).uploadData(bytes);

    const fresh = mkdtempSync(join(tmpdir(), 'bricklane-cache-'));
    const refused = materializeBundle(storage, staged.bundleId, fresh);
    await expect(refused).rejects.toBeInstanceOf(StagedBundleError);
    await expect(refused).rejects.toThrow(/does not match its id: it was altered in storage/);
    for (const dir of [a, b, fresh]) rmSync(dir, { recursive: true, force: true });
  });
});
