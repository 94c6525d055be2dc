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
) => string | undefined;

export function releaseView(status: OrchestrationState, signApprovalLink: ApprovalLinkSigner): ReleaseView {
  const release = (status.output ?? status.customStatus) as ReleaseStatus | undefined;
  const stages = (release?.stages ?? []).map((stage) => {
    const expires = stage.approval?.expiresAt;
    if (stage.state !== 'waiting' || !expires) return stage;
    const approvalUrl = signApprovalLink(status.instanceId, stage.environment, expires);
    return approvalUrl ? { ...stage, approvalUrl } : stage;
  });
  return {
    releaseId: status.instanceId,
    runtimeStatus: status.runtimeStatus,
    createdTime: status.createdTime,
    lastUpdatedTime: status.lastUpdatedTime,
    ...(release ? { ...release, stages } : {}),
  };
}
