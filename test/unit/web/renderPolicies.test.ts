// Unit: a stage's deploy policies on the pages: what holds it in a few words, a row per policy and check, and
// the approval page's note of what still holds an approved deploy; another system's words are escaped.
import { describe, expect, it } from 'vitest';
import type { StageStatus } from '../../../src/release/ReleaseStatus';
import type { StagePolicies } from '../../../src/release/StagePolicies';
import { policyHold, policyRows, renderDeployPolicies } from '../../../src/web/renderPolicies';

const NOW = new Date('2026-12-07T15:00:00Z');
const WINDOW = 'Mon-Fri 18:00-22:00 Europe/London';
const stage = (policies: StagePolicies, state: StageStatus['state'] = 'holding'): StageStatus => ({
  environment: 'prod',
  state,
  policies,
});

describe('renderPolicies', () => {
  it('says what holds a stage: the wait timer, then the window, then the failing checks', () => {
    const wait = { minutes: 30, until: '2026-12-07T15:20:00.000Z', passed: false };
    const window = { text: WINDOW, open: false, opensAt: '2026-12-07T18:00:00.000Z' };
    const checks = {
      nextAt: '2026-12-07T15:05:00.000Z',
      checks: [
        { name: 'gate.contoso.com/api', state: 'failing' as const, attempts: 2, message: '<b>frozen</b>' },
      ],
    };
    expect(policyHold(stage({ wait, window }), NOW)).toBe(
      'wait timer until 2026-12-07 15:20:00 UTC (in 20 min 0 s)',
    );
    expect(policyHold(stage({ wait: { ...wait, passed: true }, window }), NOW)).toBe(
      'window opens at 2026-12-07 18:00:00 UTC (in 3 h 0 min)',
    );
    expect(policyHold(stage({ externalChecks: checks }), NOW)).toBe(
      'check gate.contoso.com/api failing: &lt;b&gt;frozen&lt;/b&gt;',
    );
    // A stage that is not held says nothing of them.
    expect(policyHold(stage({ window }, 'deploying'), NOW)).toBeUndefined();
  });

  it('has a row per policy and per check, with times and escaped words', () => {
    const rows = policyRows(
      {
        wait: { minutes: 30, until: '2026-12-07T14:00:00.000Z', passed: true },
        window: { text: WINDOW, open: true, closesAt: '2026-12-07T22:00:00.000Z' },
        externalChecks: {
          deadline: '2026-12-07T16:00:00.000Z',
          nextAt: '2026-12-07T15:05:00.000Z',
          checks: [
            {
              name: 'alerts.contoso.com/quiet',
              state: 'passed',
              attempts: 1,
              checkedAt: '2026-12-07T14:59:00.000Z',
            },
            { name: 'gate.contoso.com/api', state: 'failing', attempts: 2, message: '<script>x</script>' },
          ],
        },
      },
      NOW,
    );
    expect(rows.map(([label]) => label)).toEqual([
      'Wait timer',
      'Change window',
      'External check alerts.contoso.com/quiet',
      'External check gate.contoso.com/api',
      'Checks must pass by',
    ]);
    expect(rows[0]?.[1]).toBe('30 min after the previous stage · over');
    expect(rows[1]?.[1]).toBe(`<code>${WINDOW}</code> · open until 2026-12-07 22:00:00 UTC (in 7 h 0 min)`);
    expect(rows[2]?.[1]).toBe(
      '<span class="check check-passed">passed</span> · asked 1×, last 2026-12-07 14:59:00 UTC',
    );
    expect(rows[3]?.[1]).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(rows[3]?.[1]).toContain('asked again 2026-12-07 15:05:00 UTC (in 5 min 0 s)');
    expect(policyRows(undefined, NOW)).toEqual([]);
  });

  it('tells the approver what still holds an approved deploy, and nothing when no policy does', () => {
    const html = renderDeployPolicies(
      {
        window: { text: WINDOW, open: false, opensAt: '2026-12-07T18:00:00.000Z' },
        externalChecks: { checks: [{ name: 'gate.contoso.com/api', state: 'pending', attempts: 0 }] },
      },
      NOW,
    );
    expect(html).toContain('<h2>After approval</h2>');
    expect(html).toContain(`Change window <code>${WINDOW}</code>: closed; opens at 2026-12-07 18:00:00 UTC`);
    expect(html).toContain('External checks must pass before the apply: <code>gate.contoso.com/api</code>');
    expect(renderDeployPolicies({ wait: { minutes: 5, until: NOW.toISOString(), passed: true } }, NOW)).toBe(
      '',
    );
    expect(renderDeployPolicies(undefined, NOW)).toBe('');
  });
});
