// I/O: after a file wave, keeps the bytes of each notebook, workspace file and init script it wrote in the
// deployed-file store (azure/DeployedFileStore.ts), under the hash the ledger records for it: the next plan's
// code diff reads "what this environment runs now" from there. Only written files cost a blob write (an
// unchanged file was kept when it was written); a retried batch keeps the same bytes again, harmlessly.
import type { DeployedFileStore } from '../../azure/DeployedFileStore';
import type { Bundle } from '../../manifest/Bundle';
import type { StepOutcome } from './ApplyContext';
import { mapConcurrent } from './mapConcurrent';
import { readBundleFile } from './readBundleFile';

/** Blob writes in flight at once: each holds one file's bytes. */
const KEEPS_IN_FLIGHT = 8;
const WRITES = new Set(['create', 'update', 'adopt']);

export async function keepDeployedFiles(
  store: DeployedFileStore,
  bundle: Bundle,
  outcomes: readonly StepOutcome[],
): Promise<void> {
  const items = new Map([...bundle.initScripts, ...bundle.notebooks, ...bundle.files].map((i) => [i.key, i]));
  const written = outcomes.flatMap((o) => {
    const item = o.status === 'done' && WRITES.has(o.action) ? items.get(o.key) : undefined;
    return item ? [item] : [];
  });
  await mapConcurrent(written, KEEPS_IN_FLIGHT, async (item) => {
    // The staged bundle's files were verified against its id when this host extracted them.
    await store.keep(item.sha256, await readBundleFile(bundle.root, item, { verified: true }));
  });
}
