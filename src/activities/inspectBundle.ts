// I/O (activity): validates a staged bundle, holds it to the operator's boundaries of every environment
// the release targets, and counts its work. Nothing is deployed from an invalid bundle: the release stops
// here, before any environment. Its status carries the count and the first few diagnostics (the custom
// status must stay under 16 KB); the full list goes to release storage, where the status page reads it.
import { bundleDiagnosticsBlob, type StoredDiagnostics } from '../azure/ReleaseStorage';
import { clipText } from '../release/boundReleaseStatus';
import { STATUS_DIAGNOSTICS } from '../release/ReleaseStatus';
import type { InspectBundleInput, InspectBundleResult } from './contracts';
import type { EnvironmentSettings } from '../config/Settings';
import { ringOf } from '../config/readTargets';
import type { BundleCheck } from '../manifest/Bundle';
import { holdToBoundaries } from '../manifest/checkBoundaries';
import { describeDiagnostic } from '../manifest/describeDiagnostic';
import { appServices } from '../services/appServices';
import { loadStagedBundle } from './engine/loadStagedBundle';
import type { ActivityOptions } from 'durable-functions';
import { failuresAsData } from './failuresAsData';

export async function inspectBundle(input: InspectBundleInput): Promise<InspectBundleResult> {
  const { releases, settings } = appServices();
  // A release started before the input named its environments is held to every configured one. A targeted
  // environment that is no longer configured fails at its own stage, with its fix, as before.
  const targeted = input.environments ?? settings.environments.map((e) => e.name);
  // A ring's target by its key (`prod.weu`) too: a manual rollback of one workspace of a ring is a release of that
  // target alone (functions/rollbackLink.ts), held to its rules and running its checks, as environmentByName reads it.
  const chosen = settings.environments
    .flatMap((e) => [e, ...(e.ring?.targets ?? [])])
    .filter((e) => targeted.includes(e.name));
  const loaded = holdToBoundaries(await loadStagedBundle(releases, input.bundleId, settings.project), chosen);
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error').map(describeDiagnostic);
  const b = loaded.bundle;
  if (errors.length > 0) {
    // Written before the result is returned: a retried activity writes the same list again.
    const stored: StoredDiagnostics = {
      version: 1,
      bundleId: input.bundleId,
      count: errors.length,
      diagnostics: errors,
    };
    await releases.writeJson(bundleDiagnosticsBlob(input.releaseId), stored);
  }
  return {
    valid: b !== undefined,
    errorCount: errors.length,
    diagnostics: errors
      .slice(0, STATUS_DIAGNOSTICS.items)
      .map((text) => clipText(text, STATUS_DIAGNOSTICS.textLength)),
    counts: {
      initScripts: b?.initScripts.length ?? 0,
      clusters: b?.clusters.length ?? 0,
      files: (b?.notebooks.length ?? 0) + (b?.files.length ?? 0),
      jobs: b?.jobs.length ?? 0,
      secrets: b?.secrets.length ?? 0,
      policies: b?.policies.length ?? 0,
      permissions: b?.permissions.length ?? 0,
    },
    prune: b?.options.prune ?? false,
    ...checksOf(b?.options.checks ?? [], chosen, settings.checksPollInSeconds),
    ...(await rollbackOf(chosen.flatMap((e) => ringOf(e)))),
    ...ringsOf(chosen),
  };
}

/** The rings among the environments (BRICKLANE_<ENV>_TARGETS): the orchestration reads no settings itself. */
function ringsOf(environments: readonly EnvironmentSettings[]): Pick<InspectBundleResult, 'rings'> {
  const rings = environments.flatMap((e) =>
    e.ring
      ? [[e.name, { targets: e.ring.targets.map((t) => t.name), parallel: e.ring.parallel }] as const]
      : [],
  );
  return rings.length > 0 ? { rings: Object.fromEntries(rings) } : {};
}

/**
 * The last known good of each environment (each target of a ring, by its key) that rolls back by itself. Read as the release starts: a release
 * that applies there later supersedes this one (the latest-wins lock), so the record cannot go stale unseen.
 */
async function rollbackOf(
  environments: readonly EnvironmentSettings[],
): Promise<Pick<InspectBundleResult, 'rollback'>> {
  const auto = environments.filter((e) => e.rollback === 'auto');
  if (auto.length === 0) return {};
  const { ledger } = appServices();
  const entries = await Promise.all(
    auto.map(async (e) => {
      const known = await ledger.lastKnownGood(e.name);
      return [
        e.name,
        known ? { knownGood: { bundleId: known.bundleId, releaseId: known.releaseId } } : {},
      ] as const;
    }),
  );
  return { rollback: Object.fromEntries(entries) };
}

/** The environments that run the bundle's checks (none when the bundle names none: histories stay as they were). */
function checksOf(
  jobs: readonly BundleCheck[],
  environments: readonly EnvironmentSettings[],
  pollInSeconds: number,
): Pick<InspectBundleResult, 'checks'> {
  const running = environments.filter((e) => e.checks.run);
  if (jobs.length === 0 || running.length === 0) return {};
  return {
    checks: Object.fromEntries(
      running.map((e) => [
        e.name,
        { jobs: jobs.map((j) => ({ ...j })), block: e.checks.block, pollInSeconds },
      ]),
    ),
  };
}

/** Options for `df.app.activity('inspectBundle', inspectBundleOptions)`: permanent failures come back as data. */
export const inspectBundleOptions: ActivityOptions = { handler: failuresAsData(inspectBundle) };
