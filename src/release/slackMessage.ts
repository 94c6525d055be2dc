// Pure: a release notice as a Slack incoming-webhook message: Block Kit `blocks` (sections, fields, a context
// line, url buttons) and `text`, which Slack shows in notifications and where blocks cannot be shown
// (docs.slack.dev, "Sending messages using incoming webhooks"; the `text` field "Using top-level text as a
// fallback").
//
// - Limits (docs.slack.dev, Block Kit reference): a message has at most 50 blocks; a section's text at most
//   3,000 characters, at most 10 fields of at most 2,000 each; an actions block at most 25 elements; a
//   button's text at most 75 characters and its url at most 3,000; a context block at most 10 elements.
//   SLACK_LIMITS holds them; every text here is cut to fit after escaping.
// - Escaping ("Formatting text for app surfaces", Escaping text): `&`, `<` and `>` become `&amp;`, `&lt;`
//   and `&gt;`, so untrusted text cannot open a `<url|link>`, a `<@user>` mention or `<!here>`. Every mrkdwn
//   text object is `verbatim: true` (Block Kit "Text object": otherwise URLs are auto-linked and channel names
//   and some mentions are parsed), so a bare `@channel` in a branch name stays text.
// - Links are buttons: the approval link, the rollback link and the status link never appear in mrkdwn text,
//   so a notice's own links are the only ones it carries.
import {
  noticeClip,
  noticeFacts,
  noticeText,
  noticeTitle,
  NOTICE_LIMITS,
  planFacts,
  sourceWords,
  type ReleaseNotice,
} from './ReleaseNotice';

export const SLACK_LIMITS = {
  blocks: 50,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  actionElements: 25,
  buttonText: 75,
  url: 3000,
  contextElements: 10,
  /**
   * The top-level `text`: "no more than 4,000 characters" (chat.postMessage reference, which incoming webhooks
   * share; Slack truncates at 40,000).
   */
  text: 4000,
} as const;

export interface SlackMrkdwn {
  type: 'mrkdwn';
  text: string;
  verbatim: true;
}

export interface SlackButton {
  type: 'button';
  text: { type: 'plain_text'; text: string };
  url: string;
  action_id: string;
  style?: 'primary';
}

export type SlackBlock =
  | { type: 'section'; text: SlackMrkdwn }
  | { type: 'section'; fields: SlackMrkdwn[] }
  | { type: 'actions'; elements: SlackButton[] }
  | { type: 'context'; elements: SlackMrkdwn[] };

export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

/** Untrusted text made inert for mrkdwn. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function slackMessage(notice: ReleaseNotice): SlackMessage {
  const message = notice.message ? noticeClip(notice.message, NOTICE_LIMITS.message) : undefined;
  const fix = notice.fix ? noticeClip(notice.fix, NOTICE_LIMITS.fix) : undefined;
  const blocks: SlackBlock[] = [section(`*${slackEscape(noticeTitle(notice))}*`)];
  if (message) blocks.push(section(slackEscape(message)));
  if (fix) blocks.push(section(`*Fix:* ${slackEscape(fix)}`));

  const facts = noticeFacts(notice);
  // The source after the release: the fields are escaped, and the source is untrusted text.
  if (notice.source) facts.splice(2, 0, { title: 'Source', value: sourceWords(notice.source) });
  blocks.push({
    type: 'section',
    fields: facts
      .slice(0, SLACK_LIMITS.fields)
      .map((f) =>
        mrkdwn(
          `*${slackEscape(f.title)}*\n${slackEscape(noticeClip(f.value, NOTICE_LIMITS.fact))}`,
          SLACK_LIMITS.fieldText,
        ),
      ),
  });

  const kinds = notice.plan ? planFacts(notice.plan) : [];
  if (kinds.length > 0) {
    blocks.push(section(['*Planned changes*', ...kinds.map((k) => `• ${k.title}: ${k.value}`)].join('\n')));
  }
  const checks = notice.policy?.externalChecks?.checks ?? [];
  if (checks.length > 0) {
    // As many checks as fit in the section whole (each line is bounded), then how many more there are.
    const heading = '*External checks*';
    const lines = [heading];
    // The heading, and room for the line that says how many more.
    let size = heading.length + 50;
    for (const c of checks.slice(0, NOTICE_LIMITS.checks)) {
      const answer = c.message ? ` — ${slackEscape(noticeClip(c.message, NOTICE_LIMITS.checkMessage))}` : '';
      const line = `• *${slackEscape(noticeClip(c.name, NOTICE_LIMITS.checkName))}*: ${c.state}${answer}`;
      size += line.length + 1;
      if (size > SLACK_LIMITS.sectionText) break;
      lines.push(line);
    }
    const more = checks.length - (lines.length - 1);
    if (more > 0) lines.push(`and ${more} more on the status page`);
    blocks.push(section(lines.join('\n')));
  }

  const buttons: SlackButton[] = [];
  const button = (text: string, url: string | undefined, action_id: string, primary = false): void => {
    // A longer URL would make Slack refuse the whole message; the fallback text still carries it.
    if (url === undefined || url.length > SLACK_LIMITS.url) return;
    buttons.push({
      type: 'button',
      text: { type: 'plain_text', text },
      url,
      action_id,
      ...(primary ? { style: 'primary' as const } : {}),
    });
  };
  button('Review and decide', notice.links.approve, 'approve', true);
  button('Roll back', notice.links.rollback, 'rollback');
  // At most 20 targets: with the status, within an actions block's 25 elements.
  for (const r of notice.links.targetRollbacks ?? [])
    button(`Roll back ${r.target}`, r.url, `rollback-${r.target}`);
  button('Release status', notice.links.status, 'status');
  if (buttons.length > 0) blocks.push({ type: 'actions', elements: buttons });
  blocks.push({
    type: 'context',
    elements: [mrkdwn(`bricklane · release ${slackEscape(notice.releaseId)}`, SLACK_LIMITS.sectionText)],
  });

  // The fallback ends with the notice's link: when the texts make it too long, it goes without them.
  let fallback = slackEscape(noticeText({ ...notice, message, fix }));
  if (fallback.length > SLACK_LIMITS.text) {
    fallback = slackEscape(noticeText({ ...notice, message: undefined, fix: undefined, policy: undefined }));
  }
  return { text: clipEscaped(fallback, SLACK_LIMITS.text), blocks };
}

function section(text: string): SlackBlock {
  return { type: 'section', text: mrkdwn(text, SLACK_LIMITS.sectionText) };
}

function mrkdwn(text: string, max: number): SlackMrkdwn {
  return { type: 'mrkdwn', text: clipEscaped(text, max), verbatim: true };
}

/** Escaped text cut to `max`, never inside an `&amp;`-style entity or a surrogate pair. */
function clipEscaped(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text
    .slice(0, max - 1)
    .replace(/&[a-z]*$/, '')
    .replace(/[\ud800-\udbff]$/, '');
  return `${cut}…`;
}
