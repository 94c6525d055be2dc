import { describe, expect, it } from 'vitest';
import { instanceIdProblem } from '../../../src/config/instanceIdProblem';
import { loadSettings, SettingsError } from '../../../src/config/loadSettings';
import { releaseInputFor } from '../../../src/release/releaseInputFor';

describe('instanceIdProblem (the Durable extension’s instance-id rules)', () => {
  it.each([
    ['release-abc123-0123456789ab'],
    ['release-6113728f27-0f1e2d3c4b5a'],
    ['a@b'],
    ['ünïcødé-is-fine'],
  ])('accepts %s', (id) => {
    expect(instanceIdProblem(id)).toBeUndefined();
  });

  it.each([
    ['', /empty/],
    ['@release', /must not start with "@"/],
    ['release-?a=b', /contains "\?"/],
    ['release-a#b', /contains "#"/],
    ['release-a/b', /contains "\/"/],
    ['release-a\\b', /contains "\\"/],
    ['release-a\nb', /control character U\+000a/],
    ['release-a\u0085b', /control character U\+0085/],
    ['release-a\u007fb', /control character U\+007f/],
  ])('refuses %j', (id, message) => {
    expect(instanceIdProblem(id)).toMatch(message);
  });
});

describe('releaseInputFor refuses a commit that would make an invalid instance id', () => {
  const settings = loadSettings({
    BRICKLANE_DEV_DATABRICKS_AUTH: 'token',
    BRICKLANE_DEV_WORKSPACE_URL: 'https://adb-1.1.azuredatabricks.net',
    BRICKLANE_DEV_DATABRICKS_TOKEN: 'dapi-test',
    BRICKLANE_LEDGER_CONNECTION: 'UseDevelopmentStorage=true',
  });

  it('"?a=b#/../." (the operator input that made release-… unsupersedable)', () => {
    const attempt = () =>
      releaseInputFor(settings, {
        bundleId: 'a'.repeat(64),
        source: { kind: 'manual', commit: '?a=b#/../.', requestedBy: 'op' },
      });
    expect(attempt).toThrow(SettingsError);
    expect(attempt).toThrow(/commit: instance id "release-\?a=b#\/\.\.\/\.-/);
  });

  it('a hex commit passes', () => {
    const input = releaseInputFor(settings, {
      bundleId: 'a'.repeat(64),
      source: { kind: 'manual', commit: '6113728f27ae82c7', requestedBy: 'op' },
    });
    expect(instanceIdProblem(input.releaseId)).toBeUndefined();
    expect(input.releaseId).toMatch(/^release-6113728f27-[0-9a-f]{12}$/);
  });
});
