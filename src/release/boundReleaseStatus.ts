// Pure: the release status as the orchestration publishes it, bounded so that the Durable extension never
// refuses it. SetCustomStatus throws when the status JSON is over 16 KB in UTF-16 and the release then ends
// Failed with no status at all (azure-functions-durable-extension DurableOrchestrationContext.cs,
// MaxCustomStatusPayloadSizeInKB = 16; MessagePayloadDataConverter.Serialize measures
// Encoding.Unicode.GetByteCount). What grows with the bundle (diagnostics), with people (comments, approver
// names), with failures (messages), with the source (refs, names) or with the operator's environment list
// is cut here, less generously at each level, until the JSON fits the budget. What a reader can tell (zero plan
// counts, wave starts that are the previous span's end) is left out at every level (compactStatus.ts), so a
// normal release's status grows with what happened, not with the kinds and waves bricklane knows.
import {
  type ApprovalInfo,
  type CheckStatus,
  type ReleaseStatus,
  STATUS_DIAGNOSTICS,
  type StagePhases,
  type StageStatus,
  type TargetStatus,
} from './ReleaseStatus';
import type { ReleaseSource } from './ReleaseInput';
import type { StagePolicies } from './StagePolicies';
import { compactPlanCounts, compactWaves } from './compactStatus';

/**
 * 12 KB of UTF-16 (6,144 characters of JSON). The limit is 16 KB; the rest is margin for the extension's
 * own serialization of the value (Newtonsoft re-writes the JSON the worker sent).
 */
export const CUSTOM_STATUS_BUDGET_IN_BYTES = 12 * 1024;

/** How many bytes the extension counts for a value: its JSON in UTF-16, 2 bytes per code unit. */
export function utf16Size(value: unknown): number {
  return (JSON.stringify(value) ?? '').length * 2;
}

/** `text` cut to at most `max` characters, ending with "…" when cut (never inside a surrogate pair). */
export function clipText(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max < 2) return max === 1 ? '…' : '';
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

interface Detail {
  /** The release's own message. */
  readonly message: number;
  /** A stage's message and an approver's comment. */
  readonly text: number;
  /** Names and references: approver, repository, ref, commit, requester. */
  readonly name: number;
  readonly diagnostics: number;
  readonly diagnosticText: number;
  /** Plan counts per stage (the full plans stay in release storage). */
  readonly plans: boolean;
}

const LEVELS: readonly Detail[] = [
  {
    message: 1000,
    text: 500,
    name: 200,
    diagnostics: STATUS_DIAGNOSTICS.items,
    diagnosticText: STATUS_DIAGNOSTICS.textLength,
    plans: true,
  },
  { message: 300, text: 160, name: 100, diagnostics: 3, diagnosticText: 160, plans: true },
  { message: 160, text: 80, name: 64, diagnostics: 1, diagnosticText: 80, plans: true },
  { message: 120, text: 40, name: 64, diagnostics: 0, diagnosticText: 0, plans: false },
];

/**
 * The status to publish: `status` with every unbounded text clipped, then, while its UTF-16 JSON is over
 * `budgetInBytes`, with less and less detail (`condensed: true` from the second level on). The last resort
 * keeps each stage's environment, state and times only, and then drops stages from the end.
 */
export function boundReleaseStatus(
  status: ReleaseStatus,
  budgetInBytes = CUSTOM_STATUS_BUDGET_IN_BYTES,
): ReleaseStatus {
  for (const [level, detail] of LEVELS.entries()) {
    const bounded = withDetail(status, detail, level > 0);
    if (utf16Size(bounded) <= budgetInBytes) return bounded;
  }
  const minimal: ReleaseStatus = {
    releaseId: status.releaseId,
    bundleId: status.bundleId,
    source: { kind: status.source.kind },
    state: status.state,
    startedAt: status.startedAt,
    ...(status.finishedAt !== undefined ? { finishedAt: status.finishedAt } : {}),
    stages: status.stages.map(minimalStage),
    ...(status.message !== undefined ? { message: clipText(status.message, 120) } : {}),
    ...(status.diagnostics ? { diagnostics: { count: status.diagnostics.count, items: [] } } : {}),
    condensed: true,
  };
  while (minimal.stages.length > 0 && utf16Size(minimal) > budgetInBytes) minimal.stages.pop();
  return minimal;
}

function withDetail(status: ReleaseStatus, detail: Detail, condensed: boolean): ReleaseStatus {
  const { message, fix, diagnostics } = status;
  return {
    ...status,
    source: clipSource(status.source, detail.name),
    stages: status.stages.map((stage) => clipStage(stage, detail, condensed)),
    ...(message !== undefined ? { message: clipText(message, detail.message) } : {}),
    ...(fix !== undefined ? { fix: clipText(fix, detail.message) } : {}),
    ...(diagnostics
      ? {
          diagnostics: {
            count: diagnostics.count,
            items: diagnostics.items
              .slice(0, detail.diagnostics)
              .map((item) => clipText(item, detail.diagnosticText)),
          },
        }
      : {}),
    ...(condensed ? { condensed: true } : {}),
  };
}

function clipSource(source: ReleaseSource, max: number): ReleaseSource {
  const clipped: ReleaseSource = { kind: source.kind };
  if (source.commit !== undefined) clipped.commit = clipText(source.commit, max);
  if (source.ref !== undefined) clipped.ref = clipText(source.ref, max);
  if (source.repository !== undefined) clipped.repository = clipText(source.repository, max);
  if (source.requestedBy !== undefined) clipped.requestedBy = clipText(source.requestedBy, max);
  return clipped;
}

function clipStage(stage: StageStatus, detail: Detail, condensed: boolean): StageStatus {
  const { plan, approval, message, fix, phases, checks, targets, ...rest } = stage;
  return {
    ...rest,
    ...(checks ? { checks: checks.map((check) => clipCheck(check, detail)) } : {}),
    ...(rest.policies ? { policies: clipPolicies(rest.policies, detail) } : {}),
    ...(targets ? { targets: targets.map((target) => clipTarget(target, detail, condensed)) } : {}),
    // The provision and wave spans are the first detail to go: the stage's phases still say where its time went.
    ...(phases ? { phases: condensed ? withoutApplyDetail(phases) : compactWaves(phases) } : {}),
    ...(plan && detail.plans ? { plan: compactPlanCounts(plan) } : {}),
    ...(approval ? { approval: clipApproval(approval, detail) } : {}),
    ...(message !== undefined ? { message: clipText(message, detail.text) } : {}),
    // A fix is a command to copy, so it keeps the release message's (longer) allowance.
    ...(fix !== undefined ? { fix: clipText(fix, detail.message) } : {}),
  };
}

/** A check run's message is clipped like a stage's; its run page goes at the last level (the job and state stay). */
function clipCheck(check: CheckStatus, detail: Detail): CheckStatus {
  const { message, url, ...rest } = check;
  return {
    ...rest,
    ...(url !== undefined && detail.plans ? { url } : {}),
    ...(message !== undefined ? { message: clipText(message, detail.text) } : {}),
  };
}

/**
 * A ring's target: clipped like its stage, its plan counts going with the stage's. Condensed, it keeps its times,
 * outcome and each check's state, without its apply span or the runs' details (20 targets of the sample bundle
 * then fit with their times, where the stage's own detail would not).
 */
function clipTarget(target: TargetStatus, detail: Detail, condensed: boolean): TargetStatus {
  const { plan, message, fix, checks, apply, ...rest } = target;
  return {
    ...rest,
    ...(apply && !condensed ? { apply } : {}),
    ...(plan && detail.plans ? { plan: compactPlanCounts(plan) } : {}),
    ...(message !== undefined ? { message: clipText(message, detail.text) } : {}),
    ...(fix !== undefined ? { fix: clipText(fix, detail.message) } : {}),
    ...(checks
      ? {
          checks: condensed
            ? checks.map(({ job, runId, state }) => ({ job, runId, state }))
            : checks.map((check) => clipCheck(check, detail)),
        }
      : {}),
  };
}

/**
 * The policies' texts: an external check's message is its system's words (clipped like a stage's message), its
 * name and the window's text are the operator's (clipped like names).
 */
function clipPolicies(policies: StagePolicies, detail: Detail): StagePolicies {
  const { window, externalChecks } = policies;
  return {
    ...policies,
    ...(window ? { window: { ...window, text: clipText(window.text, detail.name) } } : {}),
    ...(externalChecks
      ? {
          externalChecks: {
            ...externalChecks,
            checks: externalChecks.checks.map(({ message, ...check }) => ({
              ...check,
              name: clipText(check.name, detail.name),
              ...(message !== undefined ? { message: clipText(message, detail.text) } : {}),
            })),
          },
        }
      : {}),
  };
}

function withoutApplyDetail(phases: StagePhases): StagePhases {
  const { provision: _provision, waves: _waves, ...rest } = phases;
  return rest;
}

function clipApproval(approval: ApprovalInfo, detail: Detail): ApprovalInfo {
  const { approver, comment, ...rest } = approval;
  return {
    ...rest,
    ...(approver !== undefined ? { approver: clipText(approver, detail.name) } : {}),
    ...(comment !== undefined ? { comment: clipText(comment, detail.text) } : {}),
  };
}

function minimalStage(stage: StageStatus): StageStatus {
  return {
    environment: stage.environment,
    state: stage.state,
    ...(stage.startedAt !== undefined ? { startedAt: stage.startedAt } : {}),
    ...(stage.finishedAt !== undefined ? { finishedAt: stage.finishedAt } : {}),
    // A ring's targets, each by its key and state: 20 of them take about 800 characters.
    ...(stage.targets ? { targets: stage.targets.map((t) => ({ target: t.target, state: t.state })) } : {}),
  };
}
