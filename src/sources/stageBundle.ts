// I/O: stages a bundle folder as an immutable, content-addressed tar.gz in release storage.
// A release names its bundle by id, so an approval always approves exactly what was planned.
import { Readable } from 'node:stream';
import { create as createTar } from 'tar';
import { RestError } from '@azure/storage-blob';
import { stagedBundleBlob, type ReleaseStorage } from '../azure/ReleaseStorage';
import { bundleIdOf } from './bundleIdOf';
import { digestFolder } from './digestFolder';

export interface StagedBundle {
  bundleId: string;
  files: number;
  /** false when the same content was staged before (nothing uploaded). */
  uploaded: boolean;
}

export async function stageBundle(storage: ReleaseStorage, dir: string): Promise<StagedBundle> {
  const files = await digestFolder(dir);
  const bundleId = bundleIdOf(files);
  await storage.ensureContainer();
  const blob = storage.container.getBlockBlobClient(stagedBundleBlob(bundleId));
  if (await blob.exists()) return { bundleId, files: files.length, uploaded: false };
  const archive = createTar(
    { gzip: true, cwd: dir, portable: true, noMtime: true },
    files.map((f) => f.path).sort(),
  );
  try {
    // tar's Pack is a Minipass stream; the SDK wants a Node Readable.
    await blob.uploadStream(Readable.from(archive), 4 * 1024 * 1024, 4, {
      conditions: { ifNoneMatch: '*' },
      blobHTTPHeaders: { blobContentType: 'application/gzip' },
      metadata: { files: String(files.length) },
    });
  } catch (error) {
    // Staged concurrently by someone else: same id, same content.
    if (!(error instanceof RestError && (error.statusCode === 409 || error.statusCode === 412))) throw error;
  }
  return { bundleId, files: files.length, uploaded: true };
}
