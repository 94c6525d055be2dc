// I/O: which of the bundle's init scripts exist in their Unity Catalog volume: one listing per folder they go to
// (Files API `GET /fs/directories`), not one HEAD per script. A folder that does not exist (404) holds none.
import { DatabricksApiError } from '../../databricks/DatabricksApiError';
import type { DatabricksWorkspaceClient } from '../../databricks/DatabricksWorkspaceClient';
import type { Bundle } from '../../manifest/Bundle';
import { isVolumeTarget } from '../../manifest/isVolumeTarget';
import { mapConcurrent } from './mapConcurrent';

/** undefined when the bundle deploys nothing to a volume (nothing is read). */
export async function readVolumeFiles(
  client: DatabricksWorkspaceClient,
  bundle: Bundle,
): Promise<Record<string, true> | undefined> {
  const targets = bundle.initScripts.map((i) => i.target).filter(isVolumeTarget);
  if (targets.length === 0) return undefined;
  const wanted = new Set(targets);
  const files: Record<string, true> = {};
  const folders = [...new Set(targets.map((t) => t.slice(0, t.lastIndexOf('/'))))].sort();
  await mapConcurrent(folders, 16, async (folder) => {
    try {
      for await (const entry of client.listVolumeDirectory(folder)) {
        if (!entry.is_directory && wanted.has(entry.path)) files[entry.path] = true;
      }
    } catch (error) {
      if (!(error instanceof DatabricksApiError && error.statusCode === 404)) throw error;
    }
  });
  return files;
}
