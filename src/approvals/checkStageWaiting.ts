// Pure: is this release still waiting for a decision on this environment, and is the link for that wait?
// Both the page (GET) and the decision (POST) ask, from the orchestration's status as the durable client
// returns it; the answer is the page to show when it is not.
import { WAIT_EXPIRY_TOLERANCE_SECONDS } from '../release/ApprovalEvent';
import type { ReleaseInput, ReleaseSource } from '../release/ReleaseInput';
import type { ReleaseStatus, StageStatus } from '../release/ReleaseStatus';
import type { ApprovalClaims } from './approvalToken';

export interface OrchestrationSnapshot {
  runtimeStatus: string;
  customStatus?: unknown;
  /**
   * The release's input (ReleaseInput): its source, unclipped, says who asked for the release, and its approval
   * policy for the stage is the one the orchestration counts by.
   */
  input?: unknown;
}

export type StageCheck =
  | {
      ok: true;
      release: ReleaseStatus;
      stage: StageStatus;
      source: ReleaseSource;
      /** The stage's approval policy as the release began with it (ReleaseInput.approvals), when known. */
      policy?: StagePolicy;
    }
  | {
      ok: false;
      status: 404 | 409 | 410;
      title: string;
      message: string;
      details: Array<[string, string]>;
    };

const FINISHED = ['Completed', 'Failed', 'Terminated', 'Canceled'];

export function checkStageWaiting(
  snapshot: OrchestrationSnapshot | undefined,
  claims: ApprovalClaims,
): StageCheck {
  const env = claims.environment;
  if (!snapshot) {
    return {
      ok: false,
      status: 404,
      title: 'Release not found',
      message: `Release ${claims.releaseId} does not exist any more, so there is nothing to approve.`,
      details: [],
    };
  }
  const release = asReleaseStatus(snapshot.customStatus);
  const stage = release?.stages.find((s) => s.environment === env);
  const details = stage ? stageDetails(stage) : [];
  if (FINISHED.includes(snapshot.runtimeStatus)) {
    return {
      ok: false,
      status: 409,
      title: 'No longer waiting',
      message: `Release ${claims.releaseId} has finished (${snapshot.runtimeStatus}); it no longer waits for ${env}.`,
      details,
    };
  }
  if (!release || !stage) {
    return {
      ok: false,
      status: 409,
      title: 'Not waiting',
      message: `Release ${claims.releaseId} is not waiting for approval of ${env}.`,
      details,
    };
  }
  if (stage.state !== 'waiting') {
    return {
      ok: false,
      status: 409,
      title: stage.approval?.decision ? 'Already decided' : 'No longer waiting',
      // The state as a word in quotes: "it is succeeded" does not read as English.
      message: `${env} of release ${claims.releaseId} is no longer waiting for approval (its state is now "${stage.state}").`,
      details,
    };
  }
  const waitExpiry = stage.approval?.expiresAt ? Date.parse(stage.approval.expiresAt) / 1000 : Number.NaN;
  // A wait that names its plan accepts only links for that plan: after the workspace moved and the stage
  // planned again, a link of the earlier plan (minutes apart at most) must not approve the new one.
  const askedPlan = stage.approval?.planId;
  if (
    (Number.isFinite(waitExpiry) &&
      Math.abs(waitExpiry - claims.expiresAt) > WAIT_EXPIRY_TOLERANCE_SECONDS) ||
    (askedPlan !== undefined && claims.nonce !== askedPlan)
  ) {
    return {
      ok: false,
      status: 410,
      title: 'Link replaced',
      message:
        `This link belongs to an earlier approval request for ${env} of release ${claims.releaseId}. ` +
        'Use the link of the current request.',
      details,
    };
  }
  const policy = policyOf(snapshot.input, env);
  return {
    ok: true,
    release,
    stage,
    source: sourceOf(snapshot.input) ?? release.source,
    ...(policy ? { policy } : {}),
  };
}

export type StagePolicy = Pick<ReleaseInput['approvals'][string], 'quorum' | 'noSelfApproval'>;

/**
 * The quorum and self-approval flag the orchestration holds for this stage. The published status carries them
 * too, but a status condensed to its last level keeps no approval at all, and a decision page that then took
 * the quorum for 1 would record a single decision the orchestration counts as one vote of N.
 */
function policyOf(input: unknown, environment: string): StagePolicy | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const approvals = (input as { approvals?: Record<string, unknown> }).approvals;
  const own = typeof approvals === 'object' && approvals !== null ? approvals[environment] : undefined;
  if (typeof own !== 'object' || own === null) return undefined;
  const { quorum, noSelfApproval } = own as StagePolicy;
  return {
    ...(typeof quorum === 'number' && Number.isInteger(quorum) && quorum > 1 ? { quorum } : {}),
    ...(noSelfApproval === true ? { noSelfApproval } : {}),
  };
}

/**
 * Who asked, from the release's input: the published status may clip or drop it to stay small
 * (boundReleaseStatus), and the self-approval check must not depend on that.
 */
function sourceOf(input: unknown): ReleaseSource | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const source = (input as { source?: Partial<ReleaseSource> }).source;
  if (typeof source !== 'object' || source === null || typeof source.kind !== 'string') return undefined;
  return source as ReleaseSource;
}

function stageDetails(stage: StageStatus): Array<[string, string]> {
  const details: Array<[string, string]> = [['State', stage.state]];
  const approval = stage.approval;
  if (approval?.decision) details.push(['Decision', approval.decision]);
  if (approval?.approver) details.push(['By', approval.approver]);
  if (approval?.decidedAt) details.push(['At', approval.decidedAt]);
  if (stage.message) details.push(['Note', stage.message]);
  return details;
}

function asReleaseStatus(value: unknown): ReleaseStatus | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const candidate = value as Partial<ReleaseStatus>;
  if (typeof candidate.releaseId !== 'string' || !Array.isArray(candidate.stages)) return undefined;
  const stages = candidate.stages.filter(
    (s): s is StageStatus =>
      typeof s === 'object' && s !== null && typeof s.environment === 'string' && typeof s.state === 'string',
  );
  return { ...(candidate as ReleaseStatus), stages, source: candidate.source ?? { kind: 'manual' } };
}
