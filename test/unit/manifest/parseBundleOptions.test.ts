import { describe, expect, it } from 'vitest';
import { parseBundleOptions } from '../../../src/manifest/parseBundleOptions';
import { file, json } from './bundleEntries';

const options = (value: unknown): ReturnType<typeof parseBundleOptions> =>
  parseBundleOptions(json('bricklane.json', value));

describe('parseBundleOptions', () => {
  it('takes checks: jobs by name, 30 minutes unless a timeout is given', () => {
    const parsed = options({ checks: [{ job: 'smoke_test' }, { job: 'row_counts', timeoutMinutes: 5 }] });
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.options.checks).toEqual([
      { job: 'smoke_test', timeoutMinutes: 30 },
      { job: 'row_counts', timeoutMinutes: 5 },
    ]);
    expect(options({ checks: [] }).options).not.toHaveProperty('checks');
  });

  it.each([
    ['a timeout of 0', { checks: [{ job: 'a', timeoutMinutes: 0 }] }],
    ['a fractional timeout', { checks: [{ job: 'a', timeoutMinutes: 1.5 }] }],
    ['an empty job name', { checks: [{ job: '' }] }],
    ['a key a check does not have', { checks: [{ job: 'a', environments: ['prod'] }] }],
    ['six checks', { checks: Array.from({ length: 6 }, (_, i) => ({ job: `j${i}` })) }],
  ])('refuses %s in checks', (_, value) => {
    const parsed = options(value);
    expect(parsed.diagnostics.map((d) => d.code)).toEqual(['OPTIONS_INVALID']);
    expect(parsed.diagnostics[0]?.path).toMatch(/^\$\.checks/);
    expect(parsed.options).not.toHaveProperty('checks');
  });

  it('defaults to the seed behaviour when bricklane.json is absent', () => {
    expect(parseBundleOptions(undefined)).toEqual({
      options: {
        notebookRoot: '/Shared/MyProject',
        keepNotebookExtensions: false,
        initScriptTarget: 'workspace',
        initScriptRoot: '/Shared/MyProject/init-scripts',
        clusterLifecycle: 'terminate',
        prune: false,
        authoritativePermissions: false,
      },
      diagnostics: [],
    });
  });

  it('takes every option, and defaults the dbfs init script root to the seed location', () => {
    const parsed = options({
      $schema: './bricklane.schema.json',
      notebookRoot: '/Users/ci/project/',
      keepNotebookExtensions: true,
      initScriptTarget: 'dbfs',
      clusterLifecycle: 'running',
      prune: true,
      permissions: [{ group_name: 'analysts', permission_level: 'CAN_READ' }],
      authoritativePermissions: true,
    });
    expect(parsed).toEqual({
      options: {
        notebookRoot: '/Users/ci/project',
        keepNotebookExtensions: true,
        initScriptTarget: 'dbfs',
        initScriptRoot: 'dbfs:/init-scripts/MyProject',
        clusterLifecycle: 'running',
        prune: true,
        permissions: [{ group_name: 'analysts', permission_level: 'CAN_READ' }],
        authoritativePermissions: true,
      },
      diagnostics: [],
    });
  });

  describe('trust boundary: operator configuration is rejected by name', () => {
    it.each([
      ['environments', { dev: { subscription: 'x' } }],
      ['environment', 'prod'],
      ['approvers', ['boss@example.com']],
      ['approvalPolicy', { required: false }],
      ['subscriptionId', '00000000-0000-0000-0000-000000000000'],
      ['secrets', { 'databricks-dev-ops-client-secret': 'x' }],
      ['client_secret', 'x'],
      ['keyVaultName', 'KeyVault-MyProject-Prod'],
      ['tenant-id', 'x'],
      ['databricksToken', 'dapi123'],
      ['resourceGroup', 'Databricks-MyProject-Prod'],
    ])('%s', (key, value) => {
      const { diagnostics, options: parsed } = options({ [key]: value, prune: true });
      expect(diagnostics).toEqual([
        expect.objectContaining({
          severity: 'error',
          code: 'OPTIONS_OPERATOR_KEY',
          path: `$.${key}`,
          file: 'bricklane.json',
        }),
      ]);
      expect(diagnostics[0]?.summary).toContain('operator configuration');
      expect(parsed.prune).toBe(true);
    });
  });

  it.each([
    [{ notebookroot: '/x' }, 'OPTIONS_UNKNOWN_KEY', '$.notebookroot', 'did you mean `notebookRoot`'],
    [{ pruning: true }, 'OPTIONS_UNKNOWN_KEY', '$.pruning', 'accepts only'],
    [{ notebookRoot: 'Shared/x' }, 'OPTIONS_INVALID', '$.notebookRoot', 'absolute workspace path'],
    [{ notebookRoot: '/' }, 'OPTIONS_INVALID', '$.notebookRoot', 'below the root'],
    [{ notebookRoot: '/Shared/../Users' }, 'OPTIONS_INVALID', '$.notebookRoot', '".."'],
    [{ notebookRoot: 'dbfs:/x' }, 'OPTIONS_INVALID', '$.notebookRoot', 'cannot live in DBFS'],
    [
      { initScriptRoot: 'dbfs:/scripts' },
      'OPTIONS_INVALID',
      '$.initScriptRoot',
      '"initScriptTarget": "dbfs"',
    ],
    [
      { initScriptTarget: 'dbfs', initScriptRoot: '/Shared/x' },
      'OPTIONS_INVALID',
      '$.initScriptRoot',
      'dbfs:/',
    ],
    [
      { clusterLifecycle: 'stop' },
      'OPTIONS_INVALID',
      '$.clusterLifecycle',
      '"terminate", "running", "unchanged"',
    ],
    [{ prune: 'yes' }, 'OPTIONS_INVALID', '$.prune', 'true or false'],
    [[], 'OPTIONS_INVALID', '$', 'JSON object'],
  ])('%j -> %s', (value, code, path, says) => {
    const { diagnostics } = options(value);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toEqual(expect.objectContaining({ severity: 'error', code, path }));
    expect(diagnostics[0]?.summary).toContain(says);
  });

  it('falls back to defaults for invalid values so that the rest of the bundle is still checked', () => {
    expect(options({ notebookRoot: 'relative', clusterLifecycle: 'stop' }).options).toEqual(
      parseBundleOptions(undefined).options,
    );
  });

  it('reports malformed JSON with its position', () => {
    const { diagnostics } = parseBundleOptions(
      file('bricklane.json', '{\n  "prune": true\n  "notebookRoot": "/x"\n}'),
    );
    expect(diagnostics).toEqual([expect.objectContaining({ code: 'JSON_MALFORMED', line: 3, column: 3 })]);
    expect(diagnostics[0]?.summary).toContain('bricklane.json:3:3');
  });
});
