// Pure: a release notice as a Microsoft Teams message: one Adaptive Card in a `message` activity, the body that
// Teams incoming webhooks and the Workflows app's "Post to a channel when a webhook request is received"
// take (learn.microsoft.com, Teams "Create and send messages": `"type": "message"`, `attachments` with
// `contentType` `application/vnd.microsoft.card.adaptive` and the card as `content`).
//
// - Version 1.4: within the "v1.5 or earlier" that Teams renders ("Types of cards", Support for Adaptive
//   Cards). Every element used here exists since 1.2 (RichTextBlock) or before, so asking for less than 1.5
//   costs nothing. The tests validate each card against the official 1.4.0 schema (microsoft/AdaptiveCards
//   schemas/1.4.0/adaptive-card.json).
// - Untrusted text (a failure message, a fix, a branch, a pusher's name, a check's answer) goes into
//   RichTextBlock TextRuns, where "Markdown is not supported" (the schema's TextRun.text), so a commit message
//   cannot make a link. Everything that goes into a markdown field (TextBlock, Fact.title, Fact.value: "Text
//   formatting in cards") is escaped as well (cardMarkdown), and the card carries no `msteams.entities`, so
//   `<at>...</at>` text mentions nobody.
// - Teams refuses incoming-webhook messages over 28 KB ("Text formatting in cards", mentions): every
//   untrusted text is cut (noticeClip) and the checks listed are bounded, so the largest card stays well under.
import {
  noticeClip,
  noticeFacts,
  noticeTitle,
  NOTICE_LIMITS,
  planFacts,
  sourceWords,
  type NoticeFact,
  type ReleaseNotice,
} from './ReleaseNotice';

export const ADAPTIVE_CARD_VERSION = '1.4';
/**
 * A ring's rollback actions on a card: Teams shows six actions of a card's `actions` (observed in the web, desktop
 * and mobile clients, atc0005/go-teams-notify#161; the schema sets no limit), and the status link is one of them.
 */
const TEAMS_TARGET_ROLLBACKS = 4;

type TextColor = 'Default' | 'Good' | 'Warning' | 'Attention';

export type CardElement =
  | {
      type: 'TextBlock';
      text: string;
      wrap: true;
      size?: 'Medium';
      weight?: 'Bolder';
      color?: TextColor;
      isSubtle?: boolean;
    }
  | { type: 'RichTextBlock'; inlines: TextRun[] }
  | { type: 'FactSet'; facts: NoticeFact[] };

export interface TextRun {
  type: 'TextRun';
  text: string;
  weight?: 'Bolder';
}

export interface AdaptiveCard {
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json';
  type: 'AdaptiveCard';
  version: typeof ADAPTIVE_CARD_VERSION;
  body: CardElement[];
  actions: { type: 'Action.OpenUrl'; title: string; url: string }[];
}

export interface TeamsMessage {
  type: 'message';
  attachments: [
    { contentType: 'application/vnd.microsoft.card.adaptive'; contentUrl: null; content: AdaptiveCard },
  ];
}

/**
 * Text for a markdown field, inert: CommonMark backslash escapes for the characters that make links,
 * emphasis, code and autolinks, a list or heading marker at the start escaped too, and one line.
 */
export function cardMarkdown(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/[\\`*_~[\]()<>{}#|!]/g, '\\$&')
    .replace(/^([-+])/, '\\$1')
    .replace(/^(\d+)([.)])/, '$1\\$2');
}

const BAD: ReadonlySet<string> = new Set(['failed', 'rejected', 'expired', 'rolledBack']);

export function teamsMessage(notice: ReleaseNotice): TeamsMessage {
  const color: TextColor =
    notice.kind === 'approvalNeeded'
      ? 'Warning'
      : notice.state === 'succeeded'
        ? 'Good'
        : BAD.has(notice.state ?? '')
          ? 'Attention'
          : 'Default';
  const body: CardElement[] = [
    {
      type: 'TextBlock',
      text: cardMarkdown(noticeTitle(notice)),
      wrap: true,
      size: 'Medium',
      weight: 'Bolder',
      color,
    },
  ];
  if (notice.message) body.push(untrusted('', noticeClip(notice.message, NOTICE_LIMITS.message)));
  if (notice.fix) body.push(untrusted('Fix: ', noticeClip(notice.fix, NOTICE_LIMITS.fix)));
  if (notice.source)
    body.push(untrusted('Source: ', noticeClip(sourceWords(notice.source), NOTICE_LIMITS.source)));

  body.push(factSet(noticeFacts(notice)));

  const kinds = notice.plan ? planFacts(notice.plan) : [];
  if (kinds.length > 0) {
    body.push(heading('Planned changes'), factSet(kinds));
  }
  const checks = notice.policy?.externalChecks?.checks ?? [];
  if (checks.length > 0) {
    body.push(heading('External checks'));
    for (const check of checks.slice(0, NOTICE_LIMITS.checks)) {
      const answer = check.message ? ` — ${noticeClip(check.message, NOTICE_LIMITS.checkMessage)}` : '';
      body.push({
        type: 'RichTextBlock',
        inlines: [
          { type: 'TextRun', text: noticeClip(check.name, NOTICE_LIMITS.checkName), weight: 'Bolder' },
          { type: 'TextRun', text: `: ${check.state}${answer}` },
        ],
      });
    }
    if (checks.length > NOTICE_LIMITS.checks) {
      body.push(note(`and ${checks.length - NOTICE_LIMITS.checks} more on the status page`));
    }
  }

  const actions: AdaptiveCard['actions'] = [];
  if (notice.links.approve)
    actions.push({ type: 'Action.OpenUrl', title: 'Review and decide', url: notice.links.approve });
  if (notice.links.rollback)
    actions.push({ type: 'Action.OpenUrl', title: 'Roll back', url: notice.links.rollback });
  // A ring's further workspaces are on the status page.
  const targets = notice.links.targetRollbacks ?? [];
  for (const r of targets.slice(0, TEAMS_TARGET_ROLLBACKS))
    actions.push({ type: 'Action.OpenUrl', title: `Roll back ${r.target}`, url: r.url });
  if (targets.length > TEAMS_TARGET_ROLLBACKS)
    body.push(
      note(`${targets.length - TEAMS_TARGET_ROLLBACKS} more workspaces to roll back on the status page`),
    );
  actions.push({ type: 'Action.OpenUrl', title: 'Release status', url: notice.links.status });

  const content: AdaptiveCard = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: ADAPTIVE_CARD_VERSION,
    body,
    actions,
  };
  return {
    type: 'message',
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content }],
  };
}

/** A label (bricklane's words) and untrusted text, neither read as markdown. */
function untrusted(label: string, text: string): CardElement {
  const inlines: TextRun[] = label ? [{ type: 'TextRun', text: label, weight: 'Bolder' }] : [];
  inlines.push({ type: 'TextRun', text });
  return { type: 'RichTextBlock', inlines };
}

function factSet(facts: NoticeFact[]): CardElement {
  return {
    type: 'FactSet',
    facts: facts.map((f) => ({
      title: cardMarkdown(f.title),
      value: cardMarkdown(noticeClip(f.value, NOTICE_LIMITS.fact)),
    })),
  };
}

function heading(text: string): CardElement {
  return { type: 'TextBlock', text: cardMarkdown(text), wrap: true, weight: 'Bolder' };
}

function note(text: string): CardElement {
  return { type: 'TextBlock', text: cardMarkdown(text), wrap: true, isSubtle: true };
}
