// Test infrastructure: what Teams and Slack accept, checked the way their documents state it.
// - Teams: the official Adaptive Cards JSON schema, version 1.4.0 (microsoft/AdaptiveCards
//   schemas/1.4.0/adaptive-card.json at 644d933e, MIT: test/fixtures/adaptiveCards/LICENSE), a draft-06
//   schema, validated with ajv and ajv-formats (its `uri` and `uri-reference` formats), plus the webhook
//   envelope and its 28 KB limit (learn.microsoft.com, "Text formatting in cards").
// - Slack: Block Kit's documented limits (src/release/slackMessage.ts SLACK_LIMITS cites them) walked over
//   every block and text object; the types come from @slack/types in the tests (compile-time).
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json';
import adaptiveCardSchema from '../../fixtures/adaptiveCards/adaptive-card-1.4.0.json';
import type { TeamsMessage } from '../../../src/release/teamsMessage';
import { SLACK_LIMITS, type SlackMessage } from '../../../src/release/slackMessage';

/** Teams answers 413 over this many bytes for an incoming webhook's message. */
export const TEAMS_WEBHOOK_MAX_BYTES = 28 * 1024;

// The schema carries its own keywords (`version`, `features`) beside JSON Schema's: strict mode would refuse
// them, so only they are let through.
const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addMetaSchema(draft06);
addFormats(ajv);
// The file names itself with draft-04's `id`, which draft-06 spells `$id` (and ajv 8 refuses): renamed, and
// nothing else changed.
const { id, ...schemaBody } = adaptiveCardSchema;
const validateCard = ajv.compile({ $id: id, ...schemaBody });

/** Every way `message` is not what a Teams webhook takes: schema errors, envelope, size. */
export function teamsProblems(message: TeamsMessage): string[] {
  const problems: string[] = [];
  if (message.type !== 'message') problems.push('type is not "message"');
  if (message.attachments.length !== 1) problems.push('not exactly one attachment');
  const [attachment] = message.attachments;
  if (attachment.contentType !== 'application/vnd.microsoft.card.adaptive') problems.push('contentType');
  if (!validateCard(attachment.content)) {
    for (const e of validateCard.errors ?? []) problems.push(`${e.instancePath} ${e.message ?? ''}`);
  }
  const bytes = Buffer.byteLength(JSON.stringify(message), 'utf8');
  if (bytes > TEAMS_WEBHOOK_MAX_BYTES) problems.push(`${bytes} bytes`);
  return problems;
}

const BLOCK_TYPES = new Set(['section', 'actions', 'context']);

/** Every documented Block Kit limit `message` breaks, and every text object that is not escaped mrkdwn. */
export function slackProblems(message: SlackMessage): string[] {
  const problems: string[] = [];
  const text = (where: string, t: { type: string; text: string; verbatim?: boolean }, max: number): void => {
    if (t.type !== 'mrkdwn' || t.verbatim !== true) problems.push(`${where}: not verbatim mrkdwn`);
    if (t.text.length === 0) problems.push(`${where}: empty`);
    if (t.text.length > max) problems.push(`${where}: ${t.text.length} > ${max}`);
  };
  if (message.text.length === 0) problems.push('no fallback text');
  if (message.text.length > SLACK_LIMITS.text) problems.push(`text: ${message.text.length}`);
  if (message.blocks.length > SLACK_LIMITS.blocks) problems.push(`${message.blocks.length} blocks`);
  message.blocks.forEach((block, i) => {
    if (!BLOCK_TYPES.has(block.type)) problems.push(`block ${i}: type ${block.type}`);
    if (block.type === 'section') {
      if ('text' in block) text(`block ${i} text`, block.text, SLACK_LIMITS.sectionText);
      else {
        if (block.fields.length === 0 || block.fields.length > SLACK_LIMITS.fields) {
          problems.push(`block ${i}: ${block.fields.length} fields`);
        }
        block.fields.forEach((f, j) => text(`block ${i} field ${j}`, f, SLACK_LIMITS.fieldText));
      }
    }
    if (block.type === 'context') {
      if (block.elements.length > SLACK_LIMITS.contextElements) problems.push(`block ${i}: context elements`);
      block.elements.forEach((e, j) => text(`block ${i} element ${j}`, e, SLACK_LIMITS.sectionText));
    }
    if (block.type === 'actions') {
      if (block.elements.length === 0 || block.elements.length > SLACK_LIMITS.actionElements) {
        problems.push(`block ${i}: ${block.elements.length} elements`);
      }
      const ids = new Set(block.elements.map((b) => b.action_id));
      if (ids.size !== block.elements.length) problems.push(`block ${i}: action_id repeated`);
      for (const b of block.elements) {
        if (b.text.type !== 'plain_text' || b.text.text.length > SLACK_LIMITS.buttonText) {
          problems.push(`button ${b.action_id}: text`);
        }
        if (b.url.length > SLACK_LIMITS.url || !/^https?:\/\//.test(b.url))
          problems.push(`button ${b.action_id}: url`);
        if (b.action_id.length > 255) problems.push(`button ${b.action_id}: action_id`);
      }
    }
  });
  return problems;
}

/** Every string in `value` that Slack reads as mrkdwn: the fallback text and each text object's text. */
export function slackTexts(message: SlackMessage): string[] {
  const texts = [message.text];
  for (const block of message.blocks) {
    if (block.type === 'section')
      texts.push(...('text' in block ? [block.text.text] : block.fields.map((f) => f.text)));
    if (block.type === 'context') texts.push(...block.elements.map((e) => e.text));
  }
  return texts;
}

/** The Teams card's markdown fields (TextBlock text, fact titles and values) and its TextRuns, apart. */
export function teamsTexts(message: TeamsMessage): { markdown: string[]; runs: string[] } {
  const markdown: string[] = [];
  const runs: string[] = [];
  for (const element of message.attachments[0].content.body) {
    if (element.type === 'TextBlock') markdown.push(element.text);
    if (element.type === 'FactSet') for (const f of element.facts) markdown.push(f.title, f.value);
    if (element.type === 'RichTextBlock') runs.push(...element.inlines.map((r) => r.text));
  }
  return { markdown, runs };
}
