// Pure: a release as GET /api/releases/{id} answers it (JSON) and the status pages show it: the
// orchestration's runtime status plus its ReleaseStatus, with a signed approval link on waiting stages.
import type { ReleaseStatus, StageStatus } from './ReleaseStatus';

export interface StageView extends StageStatus {
  /** Our own approval page for this stage, while it waits (never Durable's sendEventPostUri). */
  approvalUrl?: string;
}

/** The ReleaseStatus fields are absent until the orchestration publishes its first custom status. */
export interface ReleaseView extends Partial<Omit<ReleaseStatus, 'releaseId' | 'stages'>> {
  releaseId: string;
  /** Durable's runtime status: Pending, Running, Completed, Failed, Terminated, ... */
  runtimeStatus: string;
  createdTime: Date | string;
  lastUpdatedTime: Date | string;
  stages?: StageView[];
}

/** What the Durable client reports about an orchestration instance (DurableOrchestrationStatus). */
export interface OrchestrationState {
  instanceId: string;
  runtimeStatus: string;
  createdTime: Date | string;
  lastUpdatedTime: Date | string;
  output?: unknown;
  customStatus?: unknown;
}

/**
 * The approval page link of a waiting stage (signed, expiring at `expiresAt`), or undefined when links
 * cannot be signed (no signing key configured).
 */
export type ApprovalLinkSigner = (
  releaseId: string,
  environment: string,
  expiresAt: string,
  /** The plan the wait asks about (ApprovalInfo.planId): the link approves that plan only. */
  planId?: string,
) => string | undefined;

export function releaseView(status: OrchestrationState, signApprovalLink: ApprovalLinkSigner): ReleaseView {
  const ended = ENDED[status.runtimeStatus];
  // A completed release's output is its final status. A Failed or Terminated one's output is the failure or
  // termination text (with a stack trace and server paths): it is never shown; the last custom status is.
  const published = ended
    ? releaseStatusIn(status.customStatus)
    : (releaseStatusIn(status.output) ?? releaseStatusIn(status.customStatus));
  const release = ended && published ? endedRelease(published, ended, status.lastUpdatedTime) : published;
  const stages = (release?.stages ?? []).map((stage) => {
    const expires = stage.approval?.expiresAt;
    if (stage.state !== 'waiting' || !expires) return stage;
    const approvalUrl = signApprovalLink(
      status.instanceId,
      stage.environment,
      expires,
      stage.approval?.planId,
    );
    return approvalUrl ? { ...stage, approvalUrl } : stage;
  });
  return {
    releaseId: status.instanceId,
    runtimeStatus: status.runtimeStatus,
    createdTime: status.createdTime,
    lastUpdatedTime: status.lastUpdatedTime,
    ...(ended && !release ? { state: 'failed' as const, message: ended } : {}),
    ...(release ? { ...release, stages } : {}),
  };
}

/** Plain words for an orchestration that ended without publishing its final status. */
const ENDED: Record<string, string> = {
  Failed: 'the release stopped on an unexpected error; the stages show how far it got. Re-run the release',
  Terminated: 'the release was terminated; the stages show how far it got. Re-run the release to complete it',
};

function releaseStatusIn(value: unknown): ReleaseStatus | undefined {
  const candidate = value as Partial<ReleaseStatus> | null | undefined;
  return typeof candidate === 'object' && candidate !== null && Array.isArray(candidate.stages)
    ? (candidate as ReleaseStatus)
    : undefined;
}

/** The last published status of a release that ended outside its own code: nothing is still running. */
function endedRelease(release: ReleaseStatus, message: string, at: Date | string): ReleaseStatus {
  const finishedAt = typeof at === 'string' ? at : at.toISOString();
  return {
    ...release,
    state: 'failed',
    message,
    finishedAt: release.finishedAt ?? finishedAt,
    stages: release.stages.map((stage): StageStatus => {
      if (stage.state === 'pending') return { ...stage, state: 'skipped' };
      if (!UNFINISHED.has(stage.state)) return stage;
      return { ...stage, state: 'failed', message: `stopped while ${stage.state}`, finishedAt };
    }),
  };
}

const UNFINISHED = new Set<StageStatus['state']>(['planning', 'waiting', 'approved', 'deploying']);
