// Unit tests: a stage's check runs on the status page: state, duration, run page link (https only), and the
// run's message, all escaped.
import { describe, expect, it } from 'vitest';
import type { CheckStatus } from '../../../src/release/ReleaseStatus';
import { checkRows } from '../../../src/web/renderChecks';

const now = new Date('2026-12-05T10:05:00Z');
const base: CheckStatus = {
  job: 'smoke_test',
  runId: 900000001,
  state: 'succeeded',
  url: 'https://adb-1.azuredatabricks.net/?o=1#job/7/run/900000001',
  startedAt: '2026-12-05T10:00:00.000Z',
  finishedAt: '2026-12-05T10:01:30.000Z',
};

describe('checkRows', () => {
  it('shows a passed run with its duration and a link to its run page', () => {
    expect(checkRows([base], now)).toEqual([
      [
        'Check smoke_test',
        '<span class="check check-succeeded">passed</span> · 1 min 30 s · ' +
          '<a href="https://adb-1.azuredatabricks.net/?o=1#job/7/run/900000001" rel="noopener noreferrer">run 900000001</a>',
      ],
    ]);
  });

  it('counts a running run up to now, and escapes the failed run message', () => {
    const running = { ...base, state: 'running' as const, finishedAt: undefined };
    expect(checkRows([running], now)[0]?.[1]).toContain('5 min 0 s');
    const failed = { ...base, state: 'failed' as const, message: '<script>alert(1)</script> & 0 rows' };
    const [, html] = checkRows([failed], now)[0] ?? [];
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; 0 rows');
    expect(html).not.toContain('<script>');
  });

  it('links only https run pages: any other scheme shows as text', () => {
    for (const url of [
      'javascript:alert(1)',
      'http://adb-1.azuredatabricks.net/run',
      'not a url',
      'data:text/html,x',
    ]) {
      const [, html] = checkRows([{ ...base, url }], now)[0] ?? [];
      expect(html).not.toContain('<a ');
      expect(html).toContain('run 900000001 (');
    }
    const [, quoted] = checkRows([{ ...base, url: 'https://h/"><img src=x>' }], now)[0] ?? [];
    expect(quoted).toContain('href="https://h/&quot;&gt;&lt;img src=x&gt;"');
  });

  it('says nothing for a stage without checks', () => {
    expect(checkRows(undefined, now)).toEqual([]);
  });
});
