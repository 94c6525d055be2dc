// Test infrastructure: a sandbox restarted on its world directory finds every workspace at the origin the
// previous run saw. The URL is stored outside the emulator (ARM's workspaceUrl, the ledger, app settings),
// so a workspace that came back on another port would look like a different workspace. A storage outage
// brings Azurite back on the same ports with the same data.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi } from '../emulator/callApi';
import { LocalWorld } from './LocalWorld';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bricklane-localworld-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('a sandbox restarted with --world', () => {
  it('serves each workspace again at the origin ARM and the settings saw', async () => {
    const start = () => LocalWorld.start({ worldDir: dir, environments: ['dev', 'qa'] });
    const first = await start();
    let url: string;
    let origins: Record<string, string>;
    try {
      const workspace = await first.azure.createWorkspace({
        subscriptionId: '00000000-0000-4000-8000-000000000001',
        resourceGroup: 'rg-kept',
        name: 'Databricks-Kept',
      });
      url = `https://${workspace.workspaceUrl}`;
      expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect((await callApi(url, 'POST', '2.0/workspace/mkdirs', { path: '/Shared/kept' })).status).toBe(200);
      origins = Object.fromEntries(
        first.emulator.workspaceNames().map((name) => [name, first.emulator.workspaceUrl(name)]),
      );
    } finally {
      await first.stop();
    }

    const second = await start();
    try {
      expect(
        Object.fromEntries(
          second.emulator.workspaceNames().map((name) => [name, second.emulator.workspaceUrl(name)]),
        ),
      ).toEqual(origins);
      expect(second.azure.snapshot().workspaces).toContainEqual(
        expect.objectContaining({ name: 'Databricks-Kept', url }),
      );
      expect(await callApi(url, 'GET', '2.0/workspace/get-status', { path: '/Shared/kept' })).toMatchObject({
        status: 200,
        body: { object_type: 'DIRECTORY' },
      });
    } finally {
      await second.stop();
    }
  });
});

describe('a storage outage', () => {
  it('takes Azurite away for the duration and brings it back on the same ports with the same data', async () => {
    const world = await LocalWorld.start({ storageOutages: true });
    try {
      const blobs = BlobServiceClient.fromConnectionString(world.azurite.connectionString, {
        retryOptions: { maxTries: 1 },
      });
      const container = blobs.getContainerClient('kept');
      await container.create();
      await container.getBlockBlobClient('a.txt').upload('before', 6);
      const connectionString = world.azurite.connectionString;
      const outage = world.storageOutage(1500);
      await new Promise((resolve) => setTimeout(resolve, 500));
      // During the outage nothing answers on the storage ports.
      await expect(container.getBlockBlobClient('a.txt').downloadToBuffer()).rejects.toThrow(/ECONNREFUSED/);
      await outage;
      expect(world.azurite.connectionString).toBe(connectionString);
      expect((await container.getBlockBlobClient('a.txt').downloadToBuffer()).toString()).toBe('before');
    } finally {
      await world.stop();
    }
  });
});
