// Test infrastructure: one release of a check bundle (checkBundle.ts) on the sandbox app, followed until it
// ends: staged in the world's Azurite, started over HTTP, read until Completed or Failed (a minute at most).
import { BlobServiceClient } from '@azure/storage-blob';
import { expect } from 'vitest';
import { ReleaseStorage } from '../../src/azure/ReleaseStorage';
import type { ReleaseStatus } from '../../src/release/ReleaseStatus';
import { stageBundle } from '../../src/sources/stageBundle';
import type { LocalWorld } from '../sandbox/LocalWorld';
import type { SandboxApp } from '../sandbox/SandboxApp';
import { writeCheckBundle } from './checkBundle';

export type ReleaseJson = ReleaseStatus & { runtimeStatus: string };

/**
 * Releases a check bundle whose smoke notebook runs `body` (with a second notebook when `extraNotebook`); its
 * folder goes to `dirs` for the caller to remove.
 */
export async function releaseCheckBundle(
  world: LocalWorld,
  app: SandboxApp,
  dirs: string[],
  body: string,
  extraNotebook = false,
): Promise<{ id: string; bundleId: string; view: ReleaseJson }> {
  const dir = writeCheckBundle(extraNotebook ? { smoke: body, extra: '1' } : { smoke: body });
  dirs.push(dir);
  const blobs = BlobServiceClient.fromConnectionString(world.azurite.connectionString);
  const { bundleId } = await stageBundle(new ReleaseStorage(blobs), dir);
  const started = await app.call('POST', 'releases', { bundleId });
  expect(started.status).toBe(202);
  const id = (started.json as { releaseId: string }).releaseId;
  return { id, bundleId, view: await followRelease(app, id) };
}

/** The release's JSON once it has ended (or after a minute). */
export async function followRelease(app: SandboxApp, id: string): Promise<ReleaseJson> {
  const deadline = Date.now() + 60_000;
  let view = (await app.call('GET', `releases/${id}`)).json as ReleaseJson;
  while (!['Completed', 'Failed'].includes(view.runtimeStatus) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    view = (await app.call('GET', `releases/${id}`)).json as ReleaseJson;
  }
  return view;
}
