// Pure: one release notice as a channel shows it (an approval that is needed, or a stage that ended), and
// its parts in plain words: the title, the plan's counts per kind, the diff size and the policy state. The
// channel formats (teamsMessage.ts, slackMessage.ts) lay these parts out and escape them for their markup;
// noticeText is the one-line form that generic webhooks get and the channels show as their fallback.
import { RESOURCE_KINDS, type ResourceKind } from '../manifest/Bundle';
import { describeCodeDiffSize, type CodeDiffSize } from '../planning/CodeDiff';
import type { PlanCounts, StageState, StageStatus } from './ReleaseStatus';
import type { ReleaseSource } from './ReleaseInput';

/**
 * The state of the environment's policies when the notice is sent. Every part is optional: a notice shows
 * what it is given. The shapes follow the stage's published policy state, so that it can be passed as it is.
 */
export interface NoticePolicy {
  /** Quorum: approvals needed and received so far. */
  approvals?: { needed: number; received: number };
  /** Soak time after the previous environment: the stage may apply from `until` on. */
  wait?: { until: string; passed: boolean };
  /** The change window: open now (until `closesAt`), or closed until `opensAt`. */
  window?: { text?: string; open: boolean; opensAt?: string; closesAt?: string };
  /** External checks and each one's last answer. */
  externalChecks?: { checks: NoticeCheck[] };
}

export interface NoticeCheck {
  name: string;
  state: 'pending' | 'passed' | 'failing' | 'failed';
  /** The check's own answer: its text is the check's, so the formats treat it as untrusted. */
  message?: string;
}

export interface ReleaseNotice {
  kind: 'approvalNeeded' | 'stageFinished';
  releaseId: string;
  environment: string;
  /** How the stage ended (stageFinished). */
  state?: StageState;
  /** ISO expiry of the approval link (approvalNeeded). */
  expiresAt?: string;
  /** Why the stage ended as it did. Untrusted: it may quote a check run's error or a bundle's names. */
  message?: string;
  /** What fixes a permanent failure. */
  fix?: string;
  /** Where the bundle came from. Untrusted: a branch name and a pusher's name are anyone's text. */
  source?: ReleaseSource;
  /** The plan's counts per kind (the stored plan's summary). */
  plan?: PlanCounts;
  /** The code diff's size (the stored code diff's `size`, planning/CodeDiff.ts). */
  diff?: CodeDiffSize;
  policy?: NoticePolicy;
  links: {
    /** The signed status view link (or the status API URL when no signing key is set). */
    status: string;
    /** The signed approval link (approvalNeeded). */
    approve?: string;
    /** A signed one-click rollback link, when the environment offers one. */
    rollback?: string;
    /** A ring's: one signed rollback link per workspace that applied the failed release, by target key. */
    targetRollbacks?: Array<{ target: string; url: string }>;
  };
}

/**
 * How much of each text a notice shows (UTF-16 units). Bounded so that the largest notice stays inside every
 * channel's limits: a Slack section's 3,000 characters and a field's 2,000, a Teams webhook message's 28 KB.
 * The status page has the rest.
 */
export const NOTICE_LIMITS = {
  message: 1000,
  fix: 500,
  source: 300,
  fact: 300,
  checks: 10,
  checkName: 100,
  checkMessage: 200,
} as const;

/**
 * Text cut to `max` UTF-16 units, ending with an ellipsis when cut (never half a surrogate pair), with
 * control characters other than line breaks turned into spaces: they mean nothing in a message, and JSON
 * would spell each one in six bytes.
 */
export function noticeClip(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this removes
  const clean = text.replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, ' ').trim();
  if (clean.length <= max) return clean;
  let cut = clean.slice(0, max - 1);
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** One labelled line of a notice. */
export interface NoticeFact {
  title: string;
  value: string;
}

/**
 * `{ policy }` for a stage's notice: its quorum's count (approvals needed and received) and its deploy policies'
 * state, each copied down to what a notice shows so that the orchestration history carries no more; nothing
 * when the stage has neither.
 */
export function noticePolicyOf(stage: Pick<StageStatus, 'approval' | 'policies'>): { policy?: NoticePolicy } {
  const quorum = stage.approval?.quorum ?? 1;
  const { wait, window, externalChecks } = stage.policies ?? {};
  const policy: NoticePolicy = {
    ...(quorum > 1
      ? { approvals: { needed: quorum, received: stage.approval?.approvals?.length ?? 0 } }
      : {}),
    ...(wait ? { wait: { until: wait.until, passed: wait.passed } } : {}),
    ...(window
      ? {
          window: {
            text: window.text,
            open: window.open,
            ...(window.opensAt ? { opensAt: window.opensAt } : {}),
            ...(window.closesAt ? { closesAt: window.closesAt } : {}),
          },
        }
      : {}),
    ...(externalChecks && externalChecks.checks.length > 0
      ? {
          externalChecks: {
            checks: externalChecks.checks.map(({ name, state, message }) => ({
              name,
              state,
              ...(message ? { message } : {}),
            })),
          },
        }
      : {}),
  };
  return Object.keys(policy).length > 0 ? { policy } : {};
}

/** A stage state in words: `rolledBack` reads "rolled back". */
export function stateWords(state: StageState | undefined): string {
  if (state === undefined) return 'finished';
  return state.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);
}

export function noticeTitle(notice: ReleaseNotice): string {
  return notice.kind === 'approvalNeeded'
    ? `Approval needed: release ${notice.releaseId} to ${notice.environment}`
    : `${notice.environment} ${stateWords(notice.state)}: release ${notice.releaseId}`;
}

/** A kind's name in words: `initScripts` reads "init scripts". */
export function kindWords(kind: ResourceKind): string {
  return kind.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);
}

/** The counts that change something, per kind in apply order: `notebooks: 3 to create, 1 to update`. */
export function planFacts(plan: PlanCounts): NoticeFact[] {
  const facts: NoticeFact[] = [];
  for (const kind of RESOURCE_KINDS) {
    const c = plan[kind];
    if (!c) continue;
    const parts = [
      c.create ? `${c.create} to create` : '',
      c.update ? `${c.update} to update` : '',
      c.delete ? `${c.delete} to delete` : '',
      c.adopt ? `${c.adopt} to adopt` : '',
      c.drift ? `${c.drift} drifted` : '',
    ].filter(Boolean);
    if (parts.length > 0) facts.push({ title: kindWords(kind), value: parts.join(', ') });
  }
  return facts;
}

/** The plan in one phrase: `4 to create, 1 to update, 2 to delete`, or `no changes`. */
export function planTotal(plan: PlanCounts): string {
  let create = 0;
  let update = 0;
  let remove = 0;
  for (const c of Object.values(plan)) {
    create += c.create ?? 0;
    // An adopted object exists already: bricklane overwrites it, as an update.
    update += (c.update ?? 0) + (c.adopt ?? 0);
    remove += c.delete ?? 0;
  }
  if (create + update + remove === 0) return 'no changes';
  return `${create} to create, ${update} to update, ${remove} to delete`;
}

/** `2026-12-05 18:00 UTC` (a notice is read across time zones). */
export function noticeTime(iso: string): string {
  const time = new Date(iso);
  return Number.isNaN(time.getTime()) ? iso : `${time.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The policies' state, one fact each: approvals, change window, wait timer, external checks in sum. */
export function policyFacts(policy: NoticePolicy): NoticeFact[] {
  const facts: NoticeFact[] = [];
  const { approvals, window, wait, externalChecks } = policy;
  if (approvals) {
    facts.push({ title: 'Approvals', value: `${approvals.received} of ${approvals.needed} received` });
  }
  if (window) {
    const when = window.open
      ? `open${window.closesAt ? ` until ${noticeTime(window.closesAt)}` : ''}`
      : `closed${window.opensAt ? `, opens ${noticeTime(window.opensAt)}` : ''}`;
    facts.push({ title: 'Change window', value: window.text ? `${when} (${window.text})` : when });
  }
  if (wait) {
    facts.push({ title: 'Wait timer', value: wait.passed ? 'passed' : `until ${noticeTime(wait.until)}` });
  }
  if (externalChecks && externalChecks.checks.length > 0) {
    const counts = new Map<string, number>();
    for (const check of externalChecks.checks) counts.set(check.state, (counts.get(check.state) ?? 0) + 1);
    const value = [...counts].map(([state, n]) => `${n} ${state}`).join(', ');
    facts.push({ title: 'External checks', value });
  }
  return facts;
}

/**
 * The notice's facts in the order both channels show them: where, which release, until when, the plan in sum,
 * the code diff's size, the policies. The source is not among them: it is untrusted text, which each channel
 * places itself.
 */
export function noticeFacts(notice: ReleaseNotice): NoticeFact[] {
  const facts: NoticeFact[] = [
    { title: 'Environment', value: notice.environment },
    { title: 'Release', value: notice.releaseId },
  ];
  if (notice.kind === 'approvalNeeded' && notice.expiresAt) {
    facts.push({ title: 'Link expires', value: noticeTime(notice.expiresAt) });
  }
  if (notice.plan) facts.push({ title: 'Plan', value: planTotal(notice.plan) });
  if (notice.diff) facts.push({ title: 'Code diff', value: describeCodeDiffSize(notice.diff) });
  if (notice.policy) facts.push(...policyFacts(notice.policy));
  return facts;
}

/** `main @ 1a2b3c4 by octocat (GitHub push)`; the parts are untrusted text. */
export function sourceWords(source: ReleaseSource): string {
  const where = [source.repository, source.ref].filter(Boolean).join(' ');
  const what = source.commit ? `@ ${source.commit.slice(0, 12)}` : '';
  const who = source.requestedBy ? `by ${source.requestedBy}` : '';
  return [where, what, who, `(${source.kind})`].filter(Boolean).join(' ');
}

/**
 * The notice in one line of plain text, ending with its link: what `{ text }` webhooks get. The words before
 * the extras are the ones notices always had, so that channel rules matching them keep working.
 */
export function noticeText(notice: ReleaseNotice): string {
  const extras = [
    notice.plan ? `Plan: ${planTotal(notice.plan)}.` : '',
    notice.diff ? `Code diff: ${describeCodeDiffSize(notice.diff)}.` : '',
    ...(notice.policy ? policyFacts(notice.policy).map((f) => `${f.title}: ${f.value}.`) : []),
  ].filter(Boolean);
  const more = extras.length > 0 ? ` ${extras.join(' ')}` : '';
  if (notice.kind === 'approvalNeeded') {
    return `bricklane: release ${notice.releaseId} waits for approval to deploy to ${notice.environment} (until ${notice.expiresAt ?? '?'}).${more} Review the plan and decide: ${notice.links.approve ?? notice.links.status}`;
  }
  const message = notice.message ? ` — ${notice.message}` : '';
  const fix = notice.fix ? ` Fix: ${notice.fix}.` : '';
  const rollback = [
    notice.links.rollback ? ` Roll back: ${notice.links.rollback}` : '',
    ...(notice.links.targetRollbacks ?? []).map((r) => ` Roll back ${r.target}: ${r.url}`),
  ].join('');
  return `bricklane: ${notice.environment} ${stateWords(notice.state)} for release ${notice.releaseId}${message}.${fix}${more}${rollback} Status: ${notice.links.status}`;
}
