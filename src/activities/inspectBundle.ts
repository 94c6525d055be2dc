// I/O (activity): validates a staged bundle and counts its work. Nothing is deployed from an invalid
// bundle: the release stops here with the diagnostics on its status.
import type { BundleRef, InspectBundleResult } from './contracts';
import { appServices } from './engine/appServices';
import { loadStagedBundle } from './engine/loadStagedBundle';

const SHOWN_DIAGNOSTICS = 20;

export async function inspectBundle(input: BundleRef): Promise<InspectBundleResult> {
  const loaded = await loadStagedBundle(appServices().releases, input.bundleId);
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  const b = loaded.bundle;
  return {
    valid: b !== undefined,
    errorCount: errors.length,
    diagnostics: errors
      .slice(0, SHOWN_DIAGNOSTICS)
      .map((d) => `${d.file}${d.path ? ` ${d.path}` : ''}: ${d.summary}`),
    counts: {
      initScripts: b?.initScripts.length ?? 0,
      clusters: b?.clusters.length ?? 0,
      files: (b?.notebooks.length ?? 0) + (b?.files.length ?? 0),
      jobs: b?.jobs.length ?? 0,
    },
    prune: b?.options.prune ?? false,
  };
}
