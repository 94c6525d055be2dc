// Pure: who is deciding on a waiting stage and whether the environment's approval policy lets them: the
// allow-list or approver groups (resolveApprover), no self-approval (checkSelfApproval), and, with a quorum,
// a signed-in identity to count (an anonymous link holder is nobody in particular, so cannot be one of N).
// The page (GET) and the decision (POST) both ask, so the page disables what the POST would refuse.
import type { IdentityMap } from '../config/readApprovalPolicy';
import type { EnvironmentSettings } from '../config/Settings';
import { approverKey } from '../release/ApprovalEvent';
import type { ReleaseSource } from '../release/ReleaseInput';
import type { StageStatus } from '../release/ReleaseStatus';
import { checkSelfApproval } from './checkSelfApproval';
import type { StagePolicy } from './checkStageWaiting';
import { type ApproverResolution, type HeaderReader, resolveApprover } from './resolveApprover';

/** What the app knows (appServices): whether Easy Auth is on, and the identity map. */
export interface DeciderApp {
  easyAuthEnabled: boolean;
  settings: { identityMap: IdentityMap };
}

/** The waiting stage (readWaitingStage): its approval carries the quorum and self-approval flag fixed when the release began. */
export interface DeciderWait {
  stage: StageStatus;
  /** Who asked for the release. */
  source: ReleaseSource;
  /** The stage's policy from the release's input (checkStageWaiting), which the orchestration counts by. */
  policy?: StagePolicy;
}

export interface DeciderResolution {
  who: ApproverResolution;
  /** Distinct approvals the stage needs. */
  quorum: number;
  /** Whether whoever asked for the release is refused. */
  noSelfApproval: boolean;
  /** With a quorum: the key the decider's vote is recorded and counted under (approverKey). */
  voter?: string;
}

export function resolveDecider(
  headers: HeaderReader,
  app: DeciderApp,
  environment: Pick<EnvironmentSettings, 'name' | 'approval'>,
  wait: DeciderWait,
): DeciderResolution {
  const { stage } = wait;
  const policy = environment.approval.policy;
  // The input's values first: the published status may have been condensed without the stage's approval.
  const quorum = wait.policy?.quorum ?? stage.approval?.quorum ?? 1;
  // The stricter of the release's own flag and today's setting: an operator can tighten a waiting release.
  const noSelfApproval =
    wait.policy?.noSelfApproval === true ||
    stage.approval?.noSelfApproval === true ||
    !policy.allowSelfApproval;
  const resolved = resolveApprover(headers, {
    environment: environment.name,
    approvers: environment.approval.approvers,
    groups: policy.groups,
    easyAuthEnabled: app.easyAuthEnabled,
  });
  const result = { quorum, noSelfApproval };
  if (!resolved.ok) return { who: resolved, ...result };
  if (noSelfApproval) {
    const self = checkSelfApproval(
      wait.source,
      resolved,
      app.settings.identityMap,
      policy.selfApprovalStrict,
    );
    if (!self.ok) {
      return {
        who: {
          ok: false,
          reason: 'selfApproval',
          message: `${capitalize(self.reason)}.`,
          approver: resolved.approver,
        },
        ...result,
      };
    }
  }
  if (quorum > 1 && !resolved.authenticated) {
    return {
      who: {
        ok: false,
        reason: 'signInRequired',
        message:
          `${environment.name} needs ${quorum} different approvers, so each must sign in: ` +
          'an anonymous link holder cannot be counted. Sign in, then open the link again.',
      },
      ...result,
    };
  }
  const voter =
    quorum > 1
      ? approverKey({
          approver: resolved.approver,
          ...(resolved.objectId === undefined ? {} : { approverObjectId: resolved.objectId }),
        })
      : undefined;
  return { who: resolved, ...result, ...(voter === undefined ? {} : { voter }) };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
