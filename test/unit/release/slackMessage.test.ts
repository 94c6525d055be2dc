import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import {
  slackEscape,
  slackMessage,
  SLACK_LIMITS,
  type SlackMessage,
} from '../../../src/release/slackMessage';
import { slackProblems, slackTexts } from './channelSchemas';
import {
  ALL_NOTICES,
  approvalNeeded,
  failed,
  hostile,
  huge,
  INJECTIONS,
  ringFailed,
  rolledBack,
} from './notices';

/** Block Kit's published types accept the blocks (a compile-time check: test/tsconfig.json typechecks it). */
function knownBlocks(message: SlackMessage): KnownBlock[] {
  return message.blocks;
}

const fieldsOf = (message: SlackMessage): string[] =>
  message.blocks.flatMap((b) => (b.type === 'section' && 'fields' in b ? b.fields.map((f) => f.text) : []));

describe('slackMessage', () => {
  it.each(ALL_NOTICES)('%s: Block Kit within every documented limit, with a fallback text', (_, notice) => {
    const message = slackMessage(notice);
    expect(slackProblems(message)).toEqual([]);
    expect(knownBlocks(message).length).toBeGreaterThan(2);
    expect(message.text).toMatch(/^bricklane: /);
  });

  it('shows the approval notice: fields with the plan, code diff and policy state, plan per kind, checks, buttons', () => {
    const message = slackMessage(approvalNeeded);
    expect(message.blocks[0]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: '*Approval needed: release rel-1a2b3c to prod*', verbatim: true },
    });
    expect(fieldsOf(message)).toEqual([
      '*Environment*\nprod',
      '*Release*\nrel-1a2b3c',
      `*Source*\ncontoso/lakehouse refs/heads/main @ ${'a'.repeat(12)} by octocat (github)`,
      '*Link expires*\n2026-12-08 10:00 UTC',
      '*Plan*\n3 to create, 2 to update, 2 to delete',
      '*Code diff*\n4 files changed, +120 −8 lines',
      '*Approvals*\n1 of 2 received',
      '*Change window*\nclosed, opens 2026-12-07 17:00 UTC (Mon-Fri 18:00-22:00 Europe/Berlin)',
      '*Wait timer*\nuntil 2026-12-07 12:00 UTC',
      '*External checks*\n1 passed, 1 failing',
    ]);
    const texts = slackTexts(message);
    expect(texts).toContain(
      '*Planned changes*\n• notebooks: 3 to create, 1 to update\n• files: 1 to adopt\n• jobs: 2 to delete',
    );
    expect(texts).toContain(
      '*External checks*\n• *alerts.contoso.example/api/gate*: passed\n• *change.contoso.example/api/cab*: failing — CHG0042 is not approved yet',
    );
    const actions = message.blocks.find((b) => b.type === 'actions');
    expect(actions).toEqual({
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Review and decide' },
          url: approvalNeeded.links.approve,
          action_id: 'approve',
          style: 'primary',
        },
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Release status' },
          url: approvalNeeded.links.status,
          action_id: 'status',
        },
      ],
    });
    expect(message.text).toContain(`Review the plan and decide: ${approvalNeeded.links.approve}`);
  });

  it('says "rolled back", with the rollback button, and a failure with its fix', () => {
    const back = slackMessage(rolledBack);
    expect(back.blocks[0]).toMatchObject({ text: { text: '*qa rolled back: release rel-9f8e7d*' } });
    expect(back.text).toMatch(/^bricklane: qa rolled back for release rel-9f8e7d — /);
    const buttons = back.blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []));
    expect(buttons.map((b) => [b.action_id, b.url])).toEqual([
      ['rollback', rolledBack.links.rollback],
      ['status', rolledBack.links.status],
    ]);
    const fail = slackMessage(failed);
    expect(slackTexts(fail)).toContain('*Fix:* bricklane validate artifacts');
    expect(fail.text).toContain('Fix: bricklane validate artifacts.');
  });

  it("gives each of a ring's rollback links its own button, and the fallback text names each workspace", () => {
    const message = slackMessage(ringFailed);
    const buttons = message.blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []));
    const rollbacks = ringFailed.links.targetRollbacks ?? [];
    expect(buttons.map((b) => [b.action_id, b.text.text, b.url])).toEqual([
      ...rollbacks.map((r) => [`rollback-${r.target}`, `Roll back ${r.target}`, r.url]),
      ['status', 'Release status', ringFailed.links.status],
    ]);
    for (const r of rollbacks) expect(message.text).toContain(`Roll back ${r.target}: ${r.url}`);
  });

  it('escapes &, < and > in every text: no link, user, group or channel mention comes from untrusted text', () => {
    const message = slackMessage(hostile);
    const texts = slackTexts(message);
    for (const text of texts) {
      // The notice's own links are buttons: no text holds a `<...>` of any kind.
      expect(text).not.toMatch(/[<>]/);
      expect(text.replace(/&(amp|lt|gt);/g, '')).not.toContain('&');
    }
    const all = texts.join('\n');
    for (const injection of INJECTIONS) expect(all).toContain(slackEscape(injection));
    expect(JSON.stringify(message.blocks)).not.toContain('evil.example/a)"'); // no button from the text
    expect(message.blocks.flatMap((b) => (b.type === 'actions' ? b.elements.map((e) => e.url) : []))).toEqual(
      [hostile.links.rollback, hostile.links.status],
    );
  });

  it('keeps within the limits when every text and list is far past its bound, cutting never inside an entity', () => {
    const message = slackMessage(huge);
    expect(slackProblems(message)).toEqual([]);
    for (const text of slackTexts(message)) {
      expect(text).not.toMatch(/&[a-z]*…/);
      expect(text).not.toMatch(/[\ud800-\udbff]…/);
    }
    const sections = message.blocks.filter((b) => b.type === 'section' && 'text' in b);
    expect(
      sections.some(
        (b) => 'text' in b && b.text.text.length > SLACK_LIMITS.sectionText - 5 && b.text.text.endsWith('…'),
      ),
    ).toBe(true);
    // As many checks as fit, then how many more: together all 500.
    const checks = slackTexts(message).findLast((t) => t.startsWith('*External checks*\n')) ?? '';
    const shown = checks.split('\n').filter((l) => l.startsWith('• ')).length;
    expect(shown).toBeGreaterThan(0);
    expect(checks).toContain(`and ${500 - shown} more on the status page`);
    // The fallback keeps its link.
    expect(message.text).toMatch(
      /Review the plan and decide: https:\/\/bricklane\.example\/api\/approvals\/\S+$/,
    );
  });

  it('leaves out a button whose URL Slack would refuse, keeping the others', () => {
    const long = `https://bricklane.example/api/approvals/${'x'.repeat(SLACK_LIMITS.url)}`;
    const message = slackMessage({ ...approvalNeeded, links: { ...approvalNeeded.links, approve: long } });
    expect(slackProblems(message)).toEqual([]);
    const buttons = message.blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []));
    expect(buttons.map((b) => b.action_id)).toEqual(['status']);
  });
});
