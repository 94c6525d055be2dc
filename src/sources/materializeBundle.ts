// I/O: a staged bundle as a local folder, extracted once per process and verified against its id.
// Activities run anywhere; each one brings the bundle it references to local disk from release storage.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stagedBundleBlob, type ReleaseStorage } from '../azure/ReleaseStorage';
import { ArchiveRejectedError } from './ArchiveRejectedError';
import { bundleIdOf } from './bundleIdOf';
import { digestFolder } from './digestFolder';
import { extractArchive } from './extractArchive';

const MAX_ENTRIES = 50_000;
const MAX_EXPANDED_BYTES = 2 * 1024 * 1024 * 1024;
const inFlight = new Map<string, Promise<string>>();

export class StagedBundleError extends Error {
  readonly code = 'StagedBundleInvalid';
  constructor(message: string) {
    super(message);
    this.name = 'StagedBundleError';
  }
}

export function materializeBundle(
  storage: ReleaseStorage,
  bundleId: string,
  cacheRoot = join(tmpdir(), 'bricklane', 'bundles'),
): Promise<string> {
  if (!/^[0-9a-f]{64}$/.test(bundleId))
    return Promise.reject(new StagedBundleError(`bundle id "${bundleId}" is not a sha256`));
  const target = join(cacheRoot, bundleId);
  let pending = inFlight.get(target);
  if (!pending) {
    pending = extractOnce(storage, bundleId, cacheRoot, target).finally(() => inFlight.delete(target));
    inFlight.set(target, pending);
  }
  return pending;
}

async function extractOnce(
  storage: ReleaseStorage,
  bundleId: string,
  cacheRoot: string,
  target: string,
): Promise<string> {
  const complete = `${target}.complete`;
  if (existsSync(complete)) return target;
  const work = join(cacheRoot, `.tmp-${randomUUID()}`);
  await mkdir(work, { recursive: true });
  try {
    const blob = storage.container.getBlockBlobClient(stagedBundleBlob(bundleId));
    const archive = join(work, 'bundle.tar.gz');
    await blob.downloadToFile(archive);
    const dir = join(work, 'bundle');
    // Staged archives are ours, but they sit in storage others can write to: unpack them with the same
    // checks as an upload (plain files and folders only, within limits, never outside the folder).
    try {
      await extractArchive(archive, dir, { maxEntries: MAX_ENTRIES, maxExpandedBytes: MAX_EXPANDED_BYTES });
    } catch (error) {
      if (!(error instanceof ArchiveRejectedError)) throw error;
      throw new StagedBundleError(`staged bundle ${bundleId} cannot be unpacked: ${error.message}`);
    }
    await rm(archive);
    if (bundleIdOf(await digestFolder(dir)) !== bundleId) {
      throw new StagedBundleError(
        `staged bundle ${bundleId} does not match its id: it was altered in storage`,
      );
    }
    await mkdir(cacheRoot, { recursive: true });
    // A folder without its marker is what a crash between rename and marker left behind.
    if (existsSync(target) && !existsSync(complete)) await rm(target, { recursive: true, force: true });
    try {
      await rename(dir, target);
    } catch (error) {
      // Another process of this machine extracted it first.
      if (!existsSync(complete)) throw error;
      return target;
    }
    await writeFile(complete, bundleId);
    return target;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
