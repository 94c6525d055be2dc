// I/O: a staged bundle as a local folder, extracted once per process and verified against its id.
// Activities run anywhere; each one brings the bundle it references to local disk from release storage.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { x as extractTar } from 'tar';
import { stagedBundleBlob, type ReleaseStorage } from '../azure/ReleaseStorage';
import { bundleIdOf } from './bundleIdOf';
import { digestFolder } from './digestFolder';

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
    await mkdir(dir);
    let entries = 0;
    let bytes = 0;
    await extractTar({
      file: archive,
      cwd: dir,
      strict: true,
      // Staged archives are ours, but they sit in storage others can write to: accept plain files and
      // folders only, within limits, and never a path outside the folder (tar's default refuses `..`).
      filter: (_path, entry) => {
        const stat = entry as unknown as { type?: string; size?: number };
        entries += 1;
        bytes += stat.size ?? 0;
        if (entries > MAX_ENTRIES || bytes > MAX_EXPANDED_BYTES) {
          throw new StagedBundleError(`staged bundle ${bundleId} is larger than the limits allow`);
        }
        return stat.type === 'File' || stat.type === 'Directory';
      },
    });
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
