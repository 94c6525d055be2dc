// Deterministic: a stage's approval gate. It first claims the environment's wait (a newer release waiting
// here supersedes this one), then sends the approval notice and waits for a decision (with a quorum: that
// many distinct approvals, or one rejection), a supersede notice or the deadline (waitForApproval), and
// records the outcome on the stage. While a quorum fills, the stage shows who approved so far.
import type * as df from 'durable-functions';
import { ACTIVITIES, type ClaimResult, type NotifyInput } from '../activities/contracts';
import type { ApprovalEvent } from '../release/ApprovalEvent';
import type { ReleaseInput } from '../release/ReleaseInput';
import { noticePolicyOf } from '../release/ReleaseNotice';
import type { PhaseTime, ReleaseState, StageStatus } from '../release/ReleaseStatus';
import { callStep } from './callStep';
import { waitForApproval, type SupersedeNotices } from './waitForApproval';

export type GateOutcome = 'approved' | 'rejected' | 'expired' | 'superseded';

export function* approvalGate(
  context: df.OrchestrationContext,
  input: ReleaseInput,
  stage: StageStatus,
  timeoutInHours: number,
  startedAt: string,
  notices: SupersedeNotices,
  publish: (state: ReleaseState) => void,
  planId: string | undefined,
): Generator<df.Task, GateOutcome, unknown> {
  const claim = yield* callStep<ClaimResult>(context, ACTIVITIES.claimEnvironment, {
    releaseId: input.releaseId,
    environment: stage.environment,
    phase: 'waiting',
    startedAt,
  });
  const decidedAt = (): string => context.df.currentUtcDateTime.toISOString();
  if (!claim.granted) {
    stage.state = 'superseded';
    stage.message = `a newer release (${claim.other ?? 'unknown'}) waits for this environment`;
    stage.finishedAt = decidedAt();
    return 'superseded';
  }
  const expiresAt = new Date(context.df.currentUtcDateTime.getTime() + timeoutInHours * 3_600_000);
  stage.state = 'waiting';
  const waited: PhaseTime = { startedAt: decidedAt() };
  (stage.phases ??= {}).approval = waited;
  // The wait names the plan it asks about: its links carry the plan id, so a link of an earlier wait (an
  // earlier plan) cannot approve this one (checkStageWaiting).
  const asked = planId !== undefined ? { planId } : {};
  const policy = input.approvals[stage.environment];
  const quorum = policy?.quorum ?? 1;
  const counted = {
    ...(quorum > 1 ? { quorum } : {}),
    ...(policy?.noSelfApproval ? { noSelfApproval: true as const } : {}),
  };
  stage.approval = { required: true, expiresAt: expiresAt.toISOString(), ...asked, ...counted };
  publish('waiting');
  yield context.df.callActivity(ACTIVITIES.notify, {
    releaseId: input.releaseId,
    environment: stage.environment,
    kind: 'approvalNeeded',
    expiresAt: stage.approval.expiresAt,
    source: input.source,
    ...noticePolicyOf(stage),
    ...asked,
  } satisfies NotifyInput);
  const outcome = yield* waitForApproval(
    context,
    stage.environment,
    { expiresAt, ...asked },
    notices,
    quorum,
    (approvals) => {
      stage.approval = { ...stage.approval, required: true, approvals: approvals.map(vote) };
      publish('waiting');
    },
  );
  waited.finishedAt = decidedAt();
  yield* callStep(context, ACTIVITIES.releaseEnvironment, {
    releaseId: input.releaseId,
    environment: stage.environment,
    phase: 'waiting',
  });
  stage.finishedAt = decidedAt();
  if (outcome.kind === 'expired') {
    stage.state = 'expired';
    stage.message = `no decision within ${timeoutInHours} h`;
    return 'expired';
  }
  if (outcome.kind === 'superseded') {
    stage.state = 'superseded';
    stage.message = `superseded by release ${outcome.by}`;
    return 'superseded';
  }
  const { decision, comment } = outcome.event;
  // With a quorum, the stage names every approver (and, after a rejection, those who approved before it).
  const approver =
    decision === 'approve' && quorum > 1
      ? outcome.approvals.map((a) => a.approver).join(', ')
      : outcome.event.approver;
  stage.approval = {
    required: true,
    expiresAt: expiresAt.toISOString(),
    ...asked,
    ...counted,
    decision,
    approver,
    ...(comment ? { comment } : {}),
    decidedAt: outcome.event.decidedAt || decidedAt(),
    ...(quorum > 1 ? { approvals: outcome.approvals.map(vote) } : {}),
  };
  if (decision === 'reject') {
    stage.state = 'rejected';
    stage.message = `rejected by ${approver}${comment ? `: ${comment}` : ''}`;
    return 'rejected';
  }
  Reflect.deleteProperty(stage, 'finishedAt');
  stage.state = 'approved';
  publish('running');
  return 'approved';
}

function vote(event: ApprovalEvent): { approver: string; decidedAt: string } {
  return { approver: event.approver, decidedAt: event.decidedAt };
}
