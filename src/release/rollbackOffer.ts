// Pure: whether a failed release's environment may be rolled back by hand now, and to what. The status page
// offers the rollback link only when it may, and the link's page and its POST ask again (the world moves on
// between a page and a click): the release ended failed in that environment after it deployed there, the
// environment rolls back by hand (BRICKLANE_<ENV>_ROLLBACK=manual, the default), it has a last known good
// other than the failed bundle, and no release has taken its apply lock since the failed one (a newer deploy
// is not undone by an old link).
import type { KnownGood } from '../planning/Ledger';
import type { ReleaseView, StageView } from './releaseView';

/** What the environment holds now, as the trigger read it. */
export interface RollbackBasis {
  /** The environment's rollback setting; undefined when it is no longer configured. */
  mode: 'auto' | 'manual' | undefined;
  knownGood: KnownGood | undefined;
  /** The newest release that took the environment's apply lock (ApplyLockRecord.newest). */
  newest: string | undefined;
  /** The environment is a ring of workspaces (BRICKLANE_<ENV>_TARGETS): each target has its own lock. */
  ring?: boolean;
}

export type RollbackOffer =
  | { ok: true; stage: StageView; knownGood: KnownGood; failedBundleId: string }
  | { ok: false; message: string };

const ENDED = new Set(['Completed', 'Failed', 'Terminated']);

export function rollbackOffer(
  release: ReleaseView,
  environment: string,
  basis: RollbackBasis,
): RollbackOffer {
  const refuse = (message: string): RollbackOffer => ({ ok: false, message });
  if (!ENDED.has(release.runtimeStatus)) return refuse(`release ${release.releaseId} is still running`);
  const stage = release.stages?.find((s) => s.environment === environment);
  // Applied: its apply started (a failed apply may have written part of the bundle), or its checks ran.
  const applied =
    stage?.phases?.apply !== undefined || stage?.outcome !== undefined || stage?.checks !== undefined;
  if (!stage || stage.state !== 'failed' || !applied)
    return refuse(`${environment} did not fail after deploying in release ${release.releaseId}`);
  if (basis.mode === undefined) return refuse(`environment ${environment} is no longer configured`);
  if (basis.mode === 'auto')
    return refuse(
      `${environment} rolls back by itself (BRICKLANE_${environment.toUpperCase()}_ROLLBACK=auto)`,
    );
  if (basis.ring)
    return refuse(
      `${environment} is a ring of workspaces: a rollback link rolls back one workspace; re-run the release of the bundle you want instead`,
    );
  const known = basis.knownGood;
  const failedBundleId = release.bundleId ?? '';
  if (!known || known.bundleId === failedBundleId)
    return refuse(`nothing to roll back to: no earlier bundle passed in ${environment}`);
  if (basis.newest !== release.releaseId)
    return refuse(
      `release ${basis.newest ?? 'another release'} has deployed to ${environment} since release ` +
        `${release.releaseId} failed there; a rollback would undo it. Re-run the release you want instead`,
    );
  return { ok: true, stage, knownGood: known, failedBundleId };
}
