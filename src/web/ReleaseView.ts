// Pure: a release as GET /api/releases/{id} answers it (JSON) and the status pages show it: the
// orchestration's runtime status plus its ReleaseStatus, with a signed approval link on waiting stages.
import type { ReleaseStatus, StageStatus } from '../activities/contracts';

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
