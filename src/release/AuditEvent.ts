// Pure: the audit trail's events. Each is one JSON object on one line (JSON Lines: azure/AuditStore.ts writes
// and reads the lines, bounded), appended once per event to the environment's append-only trail and served as
// such by GET /api/audit.
// - `id` is deterministic: the same event written twice (an activity retried after its append went through,
//   a storage client retry after a lost response) carries the same id, and readers keep the first line of an
//   id and drop the rest (AuditStore dedupeAuditRecords). Ids are built from the release, the environment and
//   what makes the event unique within the release (the plan id, the wait and approver, the stage's end time
//   on the orchestration's clock), never from a clock reading or a random number on the writer's side.
// - Records carry no secrets: no URLs (approval and view links carry signatures, webhook URLs keys), no
//   tokens, no secret values, no principal headers; the approver's comment is their own words and is kept,
//   bounded like every text (AuditStore MAX_AUDIT_TEXT).
import type { CheckState, PlanCounts, StageState, StageStatus } from './ReleaseStatus';
import type { ReleaseInput, ReleaseSource } from './ReleaseInput';
import type { StagePolicies } from './StagePolicies';

/** AuditStore's AUDIT_RECORD_VERSION: the envelope (v, id, at, environment) every line has. */
export const AUDIT_FORMAT_VERSION = 1;

/** Who decided, as App Service Authentication vouched for them: identifiers and claims, never a token. */
export interface AuditPrincipal {
  /** The decision came from someone signed in (false: the link alone was the credential). */
  authenticated: boolean;
  /** The identity provider (Easy Auth's X-MS-CLIENT-PRINCIPAL-IDP, e.g. `aad`); absent without sign-in. */
  provider?: string;
  /** The Microsoft Entra object id. */
  objectId?: string;
  upn?: string;
  displayName?: string;
  /** Why they could decide: `anyone` (no list), `allowList`, or `group:<object id>` (a group claim). */
  via?: string;
  /** The Entra group whose claim let them decide (from `via`). */
  groups?: string[];
}

export type AuditDetail =
  | {
      kind: 'started';
      source: ReleaseSource;
      /** Empty while the commit is still to be fetched and staged (the release's first step). */
      bundleId: string;
      environments: string[];
    }
  | {
      kind: 'planned';
      bundleId: string;
      /** StoredPlan.planId: the sha256 of the plan's steps and basis (first 12 hex), what an approval approves. */
      planId: string;
      /** Steps that are not `unchanged`. */
      changes: number;
      counts: PlanCounts;
    }
  /**
   * The approval notice went out (the notify activity, as the wait begins). The status page shows the link from
   * the same moment, so a decision taken there at once can be recorded just before this.
   */
  | { kind: 'approvalRequested'; planId?: string; expiresAt?: string }
  | {
      kind: 'approval';
      decision: 'approve' | 'reject';
      approver: string;
      decidedAt: string;
      comment?: string;
      /** The wait the decision answers (approvalWaitId): a re-run of the release waits again with a new id. */
      waitId: string;
      principal: AuditPrincipal;
    }
  | {
      kind: 'policy';
      /** The policy's name: `window`, `waitTimer`, `check:<name>`, `quorum`, ... */
      policy: string;
      /** Its state in one word: `waiting`, `passed`, `failed`, `open`, ... */
      state: string;
      message?: string;
    }
  | {
      kind: 'stageFinished';
      /** succeeded, failed, rejected, expired, superseded, rolledBack (the stage's final state). */
      state: StageState;
      message?: string;
      /** The apply's counts, when the stage applied. */
      outcome?: { done: number; failed: number; skipped: number };
      /** The checks' runs as they ended (a rolled-back stage: the rollback's own runs). */
      checks?: { job: string; runId: number; state: CheckState }[];
      /** The deploy policies as the stage ended: wait timer, change window, each external check's last answer. */
      policies?: StagePolicies;
    };

export type AuditKind = AuditDetail['kind'];

export type AuditEvent = {
  v: typeof AUDIT_FORMAT_VERSION;
  id: string;
  /** When it happened (ISO, UTC). */
  at: string;
  environment: string;
  /**
   * A ring's workspace (`prod.weu`) the event is about (a target's plan, a rollback release of one workspace);
   * the event is in the ring environment's trail, so one trail tells the ring's story.
   */
  target?: string;
  releaseId: string;
} & AuditDetail;

/** What a writer hands over; `at` defaults to the time of the append. */
export type AuditEventInput = {
  id: string;
  at?: string;
  environment: string;
  target?: string;
  releaseId: string;
} & AuditDetail;

/**
 * The event in its trail: one about a ring's workspace, written under the workspace's key (`<environment>.<target>`,
 * config/readTargets), goes to the ring environment's trail and names the workspace. Its id is left as written.
 */
export function inEnvironmentTrail(event: AuditEventInput): AuditEventInput {
  const dot = event.environment.indexOf('.');
  if (dot === -1) return event;
  return { ...event, environment: event.environment.slice(0, dot), target: event.environment };
}

/** `<releaseId>/<environment>/<kind>/<what makes it unique in the release>`, e.g. `r1/qa/planned/3f9a…`. */
export function auditEventId(
  releaseId: string,
  environment: string,
  kind: AuditKind,
  ...unique: (string | number)[]
): string {
  return [releaseId, environment, kind, ...unique.map(String)].join('/');
}

/**
 * What a stage's end notice carries besides NotifyInput, for the audit trail (the notify activity records the
 * stage's end there): the orchestration's time of the end, which makes the event's id, and the apply's and
 * the checks' outcome, and the deploy policies' last state. Small: counts, per check its job, run and state, and
 * the policies as the stage publishes them (bounded there: a few checks, short messages).
 */
export interface StageEndFacts {
  finishedAt?: string;
  outcome?: { done: number; failed: number; skipped: number };
  checks?: { job: string; runId: number; state: CheckState }[];
  policies?: StagePolicies;
}

/** The stage's end as the audit trail keeps it (deterministic: the stage's own published facts). */
export function stageEndFacts(stage: StageStatus): StageEndFacts {
  return {
    ...(stage.finishedAt ? { finishedAt: stage.finishedAt } : {}),
    ...(stage.outcome ? { outcome: { ...stage.outcome } } : {}),
    ...(stage.checks && stage.checks.length > 0
      ? { checks: stage.checks.map(({ job, runId, state }) => ({ job, runId, state })) }
      : {}),
    ...(stage.policies ? { policies: stage.policies } : {}),
  };
}

/**
 * The release's first record in each environment it targets: where it came from, who asked, which bundle
 * (empty while a commit is still to be fetched: the release stages it first). Written as the release is
 * started, before any of it runs; a second start of the same release (a redelivered webhook after a failed
 * start) writes the same id.
 */
export function releaseStartedEvents(input: ReleaseInput): AuditEventInput[] {
  const what = input.bundleId || input.fetch?.commit || input.source.commit || '';
  return input.environments.map((environment) => ({
    id: auditEventId(input.releaseId, environment, 'started', what),
    environment,
    releaseId: input.releaseId,
    kind: 'started',
    source: input.source,
    bundleId: input.bundleId,
    environments: input.environments,
  }));
}

/**
 * One answer of an external check (callExternalCheck) as a policy record: `check:<name>` (its host and path,
 * never its URL's query or credentials), passed / failing / error by the answer, with the check's own message.
 * The attempt and the answer make the id: a retried call that got the same answer writes the same record.
 */
export function externalCheckAuditEvent(
  check: { releaseId: string; environment: string; name: string; attempt: number },
  answer: { outcome: 'pass' | 'fail' | 'error'; message?: string },
): AuditEventInput {
  const state = answer.outcome === 'pass' ? 'passed' : answer.outcome === 'fail' ? 'failing' : 'error';
  return {
    id: auditEventId(
      check.releaseId,
      check.environment,
      'policy',
      `check:${check.name}`,
      check.attempt,
      state,
    ),
    environment: check.environment,
    releaseId: check.releaseId,
    kind: 'policy',
    policy: `check:${check.name}`,
    state,
    ...(answer.message !== undefined ? { message: answer.message } : {}),
  };
}

/**
 * A plan's record. A ring plans each target under the target's key (`<environment>.<target>`, config/readTargets):
 * the record goes to the ring environment's trail and names the target, so one trail tells the ring's story.
 */
export function plannedAuditEvent(
  ref: { releaseId: string; bundleId: string; environment: string },
  planId: string,
  changes: number,
  counts: PlanCounts,
): AuditEventInput {
  const dot = ref.environment.indexOf('.');
  const environment = dot === -1 ? ref.environment : ref.environment.slice(0, dot);
  const target = dot === -1 ? [] : [ref.environment];
  return inEnvironmentTrail({
    id: auditEventId(ref.releaseId, environment, 'planned', ...target, ref.bundleId, planId),
    environment: ref.environment,
    releaseId: ref.releaseId,
    kind: 'planned',
    bundleId: ref.bundleId,
    planId,
    changes,
    counts,
  });
}
