// Pure: the release that rolls one environment back by hand (functions/rollbackLink.ts). Its instance id is
// derived from the failed release and the environment, so that a second click, or a second approver's, finds
// the release the first started instead of starting another. It deploys the environment's last known good
// bundle to that environment only, with no approval: that bundle deployed and passed its checks there before
// (approved then, where the environment has a gate), as the automatic rollback does (deployRelease, rollBack).
import { createHash } from 'node:crypto';
import type { KnownGood } from '../planning/Ledger';
import type { ReleaseInput } from './ReleaseInput';

export interface RollbackRequest {
  failed: { releaseId: string; startedAt: string };
  environment: string;
  knownGood: Pick<KnownGood, 'bundleId' | 'releaseId'>;
  /** Who confirmed it (resolveApprover). */
  requestedBy: string;
}

/**
 * The rollback of `environment` after release `failedReleaseId` failed there: one per pair. Readable when it
 * fits the 128 characters a release id may have in a link (approvalToken.ts, releaseIdProblem); else the failed
 * release is named by a hash of its id.
 */
export function rollbackReleaseId(failedReleaseId: string, environment: string): string {
  const readable = `rollback-${environment}-${failedReleaseId}`;
  if (readable.length <= 128) return readable;
  return `rollback-${environment}-${createHash('sha256').update(failedReleaseId).digest('hex').slice(0, 24)}`;
}

export function rollbackInputFor(request: RollbackRequest): ReleaseInput {
  const { failed, environment, knownGood } = request;
  return {
    releaseId: rollbackReleaseId(failed.releaseId, environment),
    bundleId: knownGood.bundleId,
    source: { kind: 'manual', requestedBy: request.requestedBy },
    environments: [environment],
    approvals: { [environment]: { required: false, timeoutInHours: 1 } },
    rollback: {
      of: failed.releaseId,
      orderedAt: failed.startedAt,
      knownGood: { bundleId: knownGood.bundleId, releaseId: knownGood.releaseId },
      reason: `release ${failed.releaseId} failed in ${environment}; rollback confirmed by ${request.requestedBy}`,
    },
  };
}
