// I/O: the Bundle of a staged bundle id, loaded once per process (hashing 1,000 files per activity would
// dominate small batches), from the digests its extraction verified (no second hash of any file).
import type { ReleaseStorage } from '../../azure/ReleaseStorage';
import type { Bundle, LoadResult } from '../../manifest/Bundle';
import { loadBundle } from '../../sources/loadBundle';
import { materializeBundle } from '../../sources/materializeBundle';

const cache = new Map<string, Promise<LoadResult>>();

/** `project` (BRICKLANE_PROJECT, one per app) names the bundle's default deployment folder. */
export function loadStagedBundle(
  storage: ReleaseStorage,
  bundleId: string,
  project: string,
): Promise<LoadResult> {
  let pending = cache.get(bundleId);
  if (!pending) {
    pending = materializeBundle(storage, bundleId).then(({ dir, files }) =>
      loadBundle(dir, { digests: files, project }),
    );
    pending.catch(() => cache.delete(bundleId));
    cache.set(bundleId, pending);
  }
  return pending;
}

export async function requireStagedBundle(
  storage: ReleaseStorage,
  bundleId: string,
  project: string,
): Promise<Bundle> {
  const loaded = await loadStagedBundle(storage, bundleId, project);
  if (!loaded.bundle) throw new Error(`bundle ${bundleId} is invalid; validateBundle reports why`);
  return loaded.bundle;
}
