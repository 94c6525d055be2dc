import { describe, expect, it } from 'vitest';
import { cardMarkdown, teamsMessage } from '../../../src/release/teamsMessage';
import { TEAMS_WEBHOOK_MAX_BYTES, teamsProblems, teamsTexts } from './channelSchemas';
import { ALL_NOTICES, approvalNeeded, hostile, huge, INJECTIONS, ringFailed, rolledBack } from './notices';

describe('teamsMessage', () => {
  it.each(ALL_NOTICES)(
    '%s: a message with one Adaptive Card 1.4 that the official schema accepts',
    (_, notice) => {
      const message = teamsMessage(notice);
      expect(teamsProblems(message)).toEqual([]);
      expect(message.attachments[0].content.version).toBe('1.4');
    },
  );

  it('shows the approval notice: plan per kind, code diff, policy state, checks, and the two links', () => {
    const message = teamsMessage(approvalNeeded);
    const { markdown, runs } = teamsTexts(message);
    expect(markdown[0]).toBe('Approval needed: release rel-1a2b3c to prod');
    const facts = message.attachments[0].content.body.flatMap((e) => (e.type === 'FactSet' ? e.facts : []));
    expect(facts).toEqual([
      { title: 'Environment', value: 'prod' },
      { title: 'Release', value: 'rel-1a2b3c' },
      { title: 'Link expires', value: '2026-12-08 10:00 UTC' },
      { title: 'Plan', value: '3 to create, 2 to update, 2 to delete' },
      { title: 'Code diff', value: '4 files changed, +120 −8 lines' },
      { title: 'Approvals', value: '1 of 2 received' },
      {
        title: 'Change window',
        value: 'closed, opens 2026-12-07 17:00 UTC \\(Mon-Fri 18:00-22:00 Europe/Berlin\\)',
      },
      { title: 'Wait timer', value: 'until 2026-12-07 12:00 UTC' },
      { title: 'External checks', value: '1 passed, 1 failing' },
      { title: 'notebooks', value: '3 to create, 1 to update' },
      { title: 'files', value: '1 to adopt' },
      { title: 'jobs', value: '2 to delete' },
    ]);
    expect(runs).toEqual([
      'Source: ',
      `contoso/lakehouse refs/heads/main @ ${'a'.repeat(12)} by octocat (github)`,
      'alerts.contoso.example/api/gate',
      ': passed',
      'change.contoso.example/api/cab',
      ': failing — CHG0042 is not approved yet',
    ]);
    expect(message.attachments[0].content.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'Review and decide', url: approvalNeeded.links.approve },
      { type: 'Action.OpenUrl', title: 'Release status', url: approvalNeeded.links.status },
    ]);
  });

  it('says "rolled back" in red, with the rollback and status links', () => {
    const card = teamsMessage(rolledBack).attachments[0].content;
    expect(card.body[0]).toMatchObject({ text: 'qa rolled back: release rel-9f8e7d', color: 'Attention' });
    expect(card.actions.map((a) => [a.title, a.url])).toEqual([
      ['Roll back', rolledBack.links.rollback],
      ['Release status', rolledBack.links.status],
    ]);
  });

  it("offers a ring's rollback links as actions, four of them beside the status link, and says the rest are on the page", () => {
    const card = teamsMessage(ringFailed).attachments[0].content;
    expect(card.actions.map((a) => [a.title, a.url])).toEqual([
      ...(ringFailed.links.targetRollbacks ?? []).slice(0, 4).map((r) => [`Roll back ${r.target}`, r.url]),
      ['Release status', ringFailed.links.status],
    ]);
    expect(teamsTexts(teamsMessage(ringFailed)).markdown.join(' ')).toContain(
      '2 more workspaces to roll back on the status page',
    );
  });

  it('keeps untrusted text out of markdown: TextRuns carry it as written, markdown fields hold no live syntax', () => {
    const message = teamsMessage(hostile);
    const { markdown, runs } = teamsTexts(message);
    for (const injection of INJECTIONS) expect(runs.join(' ')).toContain(injection);
    for (const text of markdown) {
      // Every bracket, parenthesis and angle bracket is backslash-escaped: no link, image, autolink or tag.
      expect(text.replace(/\\./g, '')).not.toMatch(/[[\]()<>]/);
    }
    // No mention entities: `<at>` text mentions nobody.
    expect(JSON.stringify(message)).not.toContain('msteams');
    expect(message.attachments[0].content.actions.map((a) => a.url)).toEqual([
      hostile.links.rollback,
      hostile.links.status,
    ]);
  });

  it('stays under the 28 KB webhook limit with every text and list far past its bound', () => {
    const message = teamsMessage(huge);
    expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThan(TEAMS_WEBHOOK_MAX_BYTES);
    const { runs } = teamsTexts(message);
    expect(runs.every((r) => r.length <= 1000)).toBe(true);
    // Control characters are gone (JSON would spell each in six bytes), and the ten checks shown say there are more.
    expect(JSON.stringify(message)).not.toContain('\\u0001');
    expect(teamsTexts(message).markdown).toContain('and 490 more on the status page');
  });
});

describe('cardMarkdown', () => {
  it.each([
    ['[a](https://x)', '\\[a\\]\\(https://x\\)'],
    ['**bold** _it_ `code` ~s~', '\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\~s\\~'],
    ['<at>Everyone</at>', '\\<at\\>Everyone\\</at\\>'],
    ['- item', '\\- item'],
    ['1. item', '1\\. item'],
    ['# heading\nnext line', '\\# heading next line'],
    ['back\\slash', 'back\\\\slash'],
    ['plain words, 3 to create', 'plain words, 3 to create'],
  ])('%j -> %j', (text, escaped) => {
    expect(cardMarkdown(text)).toBe(escaped);
  });
});

describe('teamsProblems (the schema check itself)', () => {
  it('refuses what the 1.4 schema refuses: an unknown element, an action without its url, a misspelt property', () => {
    const message = teamsMessage(approvalNeeded);
    const card = message.attachments[0].content;
    const broken = (change: (c: Record<string, unknown>) => void): string[] => {
      const copy = structuredClone(message);
      change(copy.attachments[0].content as unknown as Record<string, unknown>);
      return teamsProblems(copy);
    };
    expect(teamsProblems(message)).toEqual([]);
    expect(broken((c) => (c.body = [...card.body, { type: 'Markdown', text: 'x' }]))).not.toEqual([]);
    expect(broken((c) => (c.actions = [{ type: 'Action.OpenUrl', title: 'x' }]))).not.toEqual([]);
    expect(broken((c) => (c.body = [{ type: 'TextBlock', text: 'x', wrapp: true }]))).not.toEqual([]);
    expect(
      broken(
        (c) =>
          (c.body = [{ type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: 'x', size: 'Huge' }] }]),
      ),
    ).not.toEqual([]);
  });
});
