// Unit: an environment's deploy policies from its app settings (loadSettings reads them per environment), and
// how a release carries them: names of external checks only, never their URLs.
import { describe, expect, it } from 'vitest';
import { loadSettings, SettingsError } from '../../../src/config/loadSettings';
import { externalCheckNames, readPolicies } from '../../../src/config/readPolicies';
import { releaseInputFor } from '../../../src/release/releaseInputFor';

const BASE = {
  BRICKLANE_ENVIRONMENTS: 'dev,prod',
  BRICKLANE_DEV_DATABRICKS_AUTH: 'token',
  BRICKLANE_DEV_WORKSPACE_URL: 'https://adb-1.azuredatabricks.net',
  BRICKLANE_DEV_DATABRICKS_TOKEN: 'dapi-dev',
  BRICKLANE_PROD_DATABRICKS_AUTH: 'token',
  BRICKLANE_PROD_WORKSPACE_URL: 'https://adb-2.azuredatabricks.net',
  BRICKLANE_PROD_DATABRICKS_TOKEN: 'dapi-prod',
  BRICKLANE_LEDGER_CONNECTION: 'UseDevelopmentStorage=true',
};
const SECRET_CHECK = 'https://ops:s3cret@change.contoso.com/api/gate?code=KEY123';

function problemsOf(values: Record<string, string>): string[] {
  try {
    loadSettings({ ...BASE, ...values });
    return [];
  } catch (error) {
    return error instanceof SettingsError ? error.problems : [String(error)];
  }
}

describe('readPolicies', () => {
  it('is nothing for an environment that sets no policy (its settings stay as they were)', () => {
    const problems: string[] = [];
    expect(readPolicies(BASE, 'prod', problems)).toBeUndefined();
    expect(loadSettings(BASE).environments.map((e) => e.policies)).toEqual([undefined, undefined]);
  });

  it('reads the window, the wait timer and the checks with their defaults', () => {
    const problems: string[] = [];
    const policies = readPolicies(
      {
        BRICKLANE_PROD_CHANGE_WINDOW: 'Mon-Fri 18:00-22:00 Europe/London',
        BRICKLANE_PROD_WAIT_MINUTES: '30',
        BRICKLANE_PROD_EXTERNAL_CHECKS: `${SECRET_CHECK}, https://alerts.contoso.com/quiet\nhttps://alerts.contoso.com/quiet?region=neu`,
      },
      'prod',
      problems,
    );
    expect(problems).toEqual([]);
    expect(policies?.changeWindows.map((w) => w.text)).toEqual(['Mon-Fri 18:00-22:00 Europe/London']);
    expect(policies?.waitMinutes).toBe(30);
    expect(policies?.externalChecks).toEqual({
      urls: [SECRET_CHECK, 'https://alerts.contoso.com/quiet', 'https://alerts.contoso.com/quiet?region=neu'],
      intervalInMinutes: 5,
      timeoutInMinutes: 60,
    });
  });

  it('names a check by its host and path, numbering names that repeat', () => {
    expect(
      externalCheckNames([
        SECRET_CHECK,
        'https://a.example/x?k=1',
        'https://a.example/x?k=2',
        'https://b.example/',
      ]),
    ).toEqual(['change.contoso.com/api/gate', 'a.example/x (1)', 'a.example/x (2)', 'b.example']);
  });

  it('says what to fix, and never repeats a check URL (it carries keys)', () => {
    const problems = problemsOf({
      BRICKLANE_PROD_CHANGE_WINDOW: 'weekdays 18:00-22:00 Europe/London',
      BRICKLANE_PROD_WAIT_MINUTES: '90 minutes',
      BRICKLANE_PROD_EXTERNAL_CHECKS: 'http://gate.contoso.com/?code=KEY123, https://x.example/#KEY123',
      BRICKLANE_PROD_EXTERNAL_CHECKS_INTERVAL_MINUTES: '0',
      BRICKLANE_PROD_EXTERNAL_CHECKS_TIMEOUT_MINUTES: '50000',
    });
    expect(problems).toEqual([
      'BRICKLANE_PROD_CHANGE_WINDOW: "weekdays 18:00-22:00 Europe/London": "weekdays" is not a day or a range of days; use Mon, Tue, Wed, Thu, Fri, Sat, Sun, a range (Mon-Fri), a list (Mon,Wed,Fri) or daily',
      'BRICKLANE_PROD_EXTERNAL_CHECKS: entry 1 must be an https:// URL (the check carries the release and its plan)',
      'BRICKLANE_PROD_EXTERNAL_CHECKS: entry 2 has a #fragment, which is never sent; put what it carries in the query',
      'BRICKLANE_PROD_WAIT_MINUTES must be a whole number of minutes from 0 to 43200, got "90 minutes"',
      'BRICKLANE_PROD_EXTERNAL_CHECKS_INTERVAL_MINUTES must be a whole number of minutes from 1 to 1440, got "0"',
      'BRICKLANE_PROD_EXTERNAL_CHECKS_TIMEOUT_MINUTES must be a whole number of minutes from 1 to 43200, got "50000"',
    ]);
    expect(problems.join('\n')).not.toContain('KEY123');
  });

  it('reaches the release input per environment, with check names and no URL', () => {
    const settings = loadSettings({
      ...BASE,
      BRICKLANE_PROD_CHANGE_WINDOW: 'Fri 22:00-02:00 UTC',
      BRICKLANE_PROD_EXTERNAL_CHECKS: SECRET_CHECK,
      BRICKLANE_PROD_EXTERNAL_CHECKS_INTERVAL_MINUTES: '2',
    });
    const input = releaseInputFor(settings, { bundleId: 'b'.repeat(64), source: { kind: 'manual' } });
    expect(input.policies).toEqual({
      prod: {
        changeWindows: [
          { days: [5], startMinute: 1320, endMinute: 120, timeZone: 'UTC', text: 'Fri 22:00-02:00 UTC' },
        ],
        externalChecks: {
          names: ['change.contoso.com/api/gate'],
          intervalInMinutes: 2,
          timeoutInMinutes: 60,
        },
      },
    });
    expect(JSON.stringify(input)).not.toMatch(/s3cret|KEY123/);
    // Without policies the input has no `policies` at all, as before.
    expect(
      releaseInputFor(loadSettings(BASE), { bundleId: 'b'.repeat(64), source: { kind: 'manual' } }),
    ).not.toHaveProperty('policies');
  });
});
