// Pure: whether a failed release's environment may be rolled back by hand now, and to what. The status page
// offers the rollback link only when it may, and the link's page and its POST ask again (the world moves on
// between a page and a click): the release ended failed in that environment after it deployed there, the
// environment rolls back by hand (BRICKLANE_<ENV>_ROLLBACK=manual, the default), it has a last known good
// other than the failed bundle, and no release has taken its apply lock since the failed one (a newer deploy
// is not undone by an old link).
// A ring of workspaces (BRICKLANE_<ENV>_TARGETS) is rolled back one workspace at a time, by the target's key
// (`prod.weu`), as the automatic rollback does (deployRing, rollBackRing): every target that applied in the failed
// release (the failed one, and those that passed before the failure) may be put back to its own last known good,
// under its own apply lock. The ring's name itself is refused: no one link rolls back several workspaces.
import type { KnownGood } from '../planning/Ledger';
import type { TargetStatus } from './ReleaseStatus';
import type { ReleaseView, StageView } from './releaseView';

/** What the environment (or the ring's target) holds now, as the trigger read it. */
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
  | {
      ok: true;
      stage: StageView;
      /** The ring's target rolled back (its row on the stage), when the environment is a ring's target. */
      target?: TargetStatus;
      knownGood: KnownGood;
      failedBundleId: string;
    }
  | { ok: false; message: string };

const ENDED = new Set(['Completed', 'Failed', 'Terminated']);

export function rollbackOffer(
  release: ReleaseView,
  environment: string,
  basis: RollbackBasis,
): RollbackOffer {
  const refuse = (message: string): RollbackOffer => ({ ok: false, message });
  if (!ENDED.has(release.runtimeStatus)) return refuse(`release ${release.releaseId} is still running`);
  const stage = release.stages?.find(
    (s) => s.environment === environment || s.targets?.some((t) => t.target === environment),
  );
  const target =
    stage?.environment === environment ? undefined : stage?.targets?.find((t) => t.target === environment);
  const applied = target
    ? targetApplied(target)
    : stage?.phases?.apply !== undefined || stage?.outcome !== undefined || stage?.checks !== undefined;
  if (!stage || stage.state !== 'failed' || !applied)
    return refuse(
      target && stage
        ? `${environment} did not apply in release ${release.releaseId}, or ${stage.environment} did not fail`
        : `${environment} did not fail after deploying in release ${release.releaseId}`,
    );
  if (basis.mode === undefined) return refuse(`environment ${environment} is no longer configured`);
  if (basis.mode === 'auto')
    return refuse(
      `${environment} rolls back by itself (BRICKLANE_${stage.environment.toUpperCase()}_ROLLBACK=auto)`,
    );
  if (basis.ring && !target)
    return refuse(
      `${environment} is a ring of workspaces: each workspace that applied the release has a rollback link of its own (${environment}.<target>)`,
    );
  const known = knownGoodBefore(basis.knownGood, release.releaseId);
  const failedBundleId = release.bundleId ?? '';
  if (!known || known.bundleId === failedBundleId)
    return refuse(`nothing to roll back to: no earlier bundle passed in ${environment}`);
  if (basis.newest !== release.releaseId)
    return refuse(
      `release ${basis.newest ?? 'another release'} has deployed to ${environment} since release ` +
        `${release.releaseId} failed there; a rollback would undo it. Re-run the release you want instead`,
    );
  return { ok: true, stage, ...(target ? { target } : {}), knownGood: known, failedBundleId };
}

/**
 * The last known good before release `releaseId`: the recorded one, or the one before it when that release recorded
 * it (a ring's target that passed before another target failed: what it held before is what a rollback restores).
 */
export function knownGoodBefore(recorded: KnownGood | undefined, releaseId: string): KnownGood | undefined {
  return recorded?.releaseId === releaseId ? recorded.previous : recorded;
}

/**
 * Whether a ring's target applied in its release: its apply started (a failed apply may have written part of the
 * bundle), it has an outcome, or its checks ran. One that was not started, or lost its lock, wrote nothing.
 */
export function targetApplied(target: TargetStatus): boolean {
  return target.apply !== undefined || target.outcome !== undefined || target.checks !== undefined;
}
