// I/O: a staged bundle as a local folder, extracted once per host and verified against its id.
// Activities run anywhere; each one brings the bundle it references to local disk from release storage.
// Verifying hashes every file once (the id is the sha256 of the file list, so a blob altered in storage
// gives another id and is refused); the verified digests are kept beside the folder and handed to
// loadBundle, so a host hashes each file once, not again to load it or to write it.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stagedBundleBlob, type ReleaseStorage } from '../azure/ReleaseStorage';
import { ArchiveRejectedError } from './ArchiveRejectedError';
import { bundleIdOf, type BundleFileDigest } from './bundleIdOf';
import { digestFolder } from './digestFolder';
import { extractArchive } from './extractArchive';

const MAX_ENTRIES = 50_000;
const MAX_EXPANDED_BYTES = 2 * 1024 * 1024 * 1024;
// One tar.gz of the bundle folder compresses similar files far better than the upload did (a zip deflates
// each file alone), so the upload's 100:1 would refuse bundles it accepted. Deflate never exceeds 1032:1:
// above that the ratio bound is off, and the absolute bound holds.
const MAX_EXPANSION_RATIO = 1100;
/** The verified folder of a staged bundle, and the digest of each of its files. */
export interface MaterializedBundle {
  dir: string;
  files: BundleFileDigest[];
}

const inFlight = new Map<string, Promise<MaterializedBundle>>();

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
): Promise<MaterializedBundle> {
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
): Promise<MaterializedBundle> {
  const complete = `${target}.complete`;
  const cached = existsSync(complete) ? await readMarker(complete, bundleId) : undefined;
  if (cached) return { dir: target, files: cached };
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
      await extractArchive(archive, dir, {
        maxEntries: MAX_ENTRIES,
        maxExpandedBytes: MAX_EXPANDED_BYTES,
        maxExpansionRatio: MAX_EXPANSION_RATIO,
      });
    } catch (error) {
      if (!(error instanceof ArchiveRejectedError)) throw error;
      throw new StagedBundleError(`staged bundle ${bundleId} cannot be unpacked: ${error.message}`);
    }
    await rm(archive);
    const files = await digestFolder(dir);
    if (bundleIdOf(files) !== bundleId) {
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
      return { dir: target, files };
    }
    await writeFile(complete, JSON.stringify({ bundleId, files }));
    return { dir: target, files };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The digests a completed extraction recorded, when they are for this bundle; else it is extracted again. */
async function readMarker(path: string, bundleId: string): Promise<BundleFileDigest[] | undefined> {
  try {
    const marker = JSON.parse(await readFile(path, 'utf8')) as { bundleId?: unknown; files?: unknown };
    if (marker.bundleId !== bundleId || !Array.isArray(marker.files)) return undefined;
    const files = marker.files as BundleFileDigest[];
    // The list hashes to the id: a marker edited on disk is not trusted either.
    return bundleIdOf(files) === bundleId ? files : undefined;
  } catch {
    return undefined;
  }
}
