import { describe, expect, it } from 'vitest';
import { loadBoundaries, loadSettings, SettingsError } from '../../../src/config/loadSettings';
import { problemsOf } from './settingsProblems';

const SUB = '00000000-0000-0000-0000-000000000001';
const base = { BRICKLANE_LEDGER_CONNECTION: 'UseDevelopmentStorage=true' };

describe('loadSettings', () => {
  it("defaults to the seed's naming schema per environment", () => {
    const settings = loadSettings({
      ...base,
      BRICKLANE_ENVIRONMENTS: 'dev,qa,prod',
      BRICKLANE_DEV_SUBSCRIPTION_ID: SUB,
      BRICKLANE_QA_SUBSCRIPTION_ID: SUB,
      BRICKLANE_PROD_SUBSCRIPTION_ID: SUB,
    });
    expect(
      settings.environments.map((e) => [e.resourceGroup, e.workspaceName, e.keyVaultName, e.databricksAuth]),
    ).toEqual([
      [
        'Databricks-MyProject-Dev',
        'Databricks-MyProject-Dev',
        'KeyVault-MyProject-Dev',
        'keyVaultServicePrincipal',
      ],
      [
        'Databricks-MyProject-QA',
        'Databricks-MyProject-QA',
        'KeyVault-MyProject-QA',
        'keyVaultServicePrincipal',
      ],
      [
        'Databricks-MyProject-Prod',
        'Databricks-MyProject-Prod',
        'KeyVault-MyProject-Prod',
        'keyVaultServicePrincipal',
      ],
    ]);
    expect(settings.azure).toEqual({
      armEndpoint: 'https://management.azure.com',
      authorityHost: 'https://login.microsoftonline.com',
      customEndpoints: false,
      credential: 'managedIdentity',
    });
  });

  it.each([
    {
      name: "a long project name overflows the seed's vault name",
      values: {
        BRICKLANE_PROJECT: 'CustomerAnalytics',
        BRICKLANE_PROD_SUBSCRIPTION_ID: SUB,
        BRICKLANE_ENVIRONMENTS: 'prod',
      },
      expected:
        /Key Vault name "KeyVault-CustomerAnalytics-Prod" must be 3–24 characters \(it has 31\); set BRICKLANE_PROD_KEY_VAULT/,
    },
    {
      name: 'a vault name with consecutive hyphens',
      values: { BRICKLANE_DEV_SUBSCRIPTION_ID: SUB, BRICKLANE_DEV_KEY_VAULT: 'kv--dev' },
      expected: /consecutive hyphens; set BRICKLANE_DEV_KEY_VAULT/,
    },
    {
      name: 'a resource group ending in a period',
      values: { BRICKLANE_DEV_SUBSCRIPTION_ID: SUB, BRICKLANE_DEV_RESOURCE_GROUP: 'rg.' },
      expected: /must not end with a period/,
    },
    {
      name: 'a workspace name with spaces',
      values: { BRICKLANE_DEV_SUBSCRIPTION_ID: SUB, BRICKLANE_DEV_WORKSPACE_NAME: 'my workspace' },
      expected: /Databricks workspace name "my workspace" may contain only/,
    },
    { name: 'a missing subscription', values: {}, expected: /BRICKLANE_DEV_SUBSCRIPTION_ID is not set/ },
    {
      name: 'a malformed subscription',
      values: { BRICKLANE_DEV_SUBSCRIPTION_ID: 'abc' },
      expected: /must be a subscription id/,
    },
    {
      name: 'an unknown auth mode',
      values: { BRICKLANE_DEV_SUBSCRIPTION_ID: SUB, BRICKLANE_DEV_DATABRICKS_AUTH: 'pat' },
      expected: /DATABRICKS_AUTH must be one of/,
    },
    {
      name: 'token mode without a token',
      values: {
        BRICKLANE_DEV_DATABRICKS_AUTH: 'token',
        BRICKLANE_DEV_WORKSPACE_URL: 'https://adb-1.azuredatabricks.net',
      },
      expected: /DATABRICKS_TOKEN is not set/,
    },
    {
      name: 'an http ARM endpoint',
      values: { BRICKLANE_DEV_SUBSCRIPTION_ID: SUB, BRICKLANE_ARM_ENDPOINT: 'http://localhost' },
      expected: /BRICKLANE_ARM_ENDPOINT must be an https:\/\/ URL/,
    },
    {
      name: 'a bad environment name',
      values: { BRICKLANE_ENVIRONMENTS: 'Dev' },
      expected: /"Dev" is not a valid environment name/,
    },
  ])('rejects $name with a message that says what to set', ({ values, expected }) => {
    const problems = problemsOf({ ...base, ...values });
    expect(problems.join('\n')).toMatch(expected);
  });

  it('reports every problem at once and never echoes a token', () => {
    const problems = problemsOf({
      BRICKLANE_ENVIRONMENTS: 'dev,qa',
      BRICKLANE_DEV_DATABRICKS_AUTH: 'token',
      BRICKLANE_DEV_DATABRICKS_TOKEN: 'dapi-secret-value',
      BRICKLANE_MAX_IN_FLIGHT: '0',
    });
    expect(problems.length).toBeGreaterThanOrEqual(4);
    expect(problems.join('\n')).not.toContain('dapi-secret-value');
  });

  it('marks custom endpoints so the SDKs skip public-cloud-only checks', () => {
    const s = loadSettings({
      ...base,
      BRICKLANE_DEV_SUBSCRIPTION_ID: SUB,
      BRICKLANE_ARM_ENDPOINT: 'https://127.0.0.1:8443/',
    });
    expect(s.azure.armEndpoint).toBe('https://127.0.0.1:8443');
    expect(s.azure.customEndpoints).toBe(true);
  });

  it('refuses Key Vault references App Service could not resolve (the text would pass as a signing key)', () => {
    const reference = '@Microsoft.KeyVault(VaultName=kv-abc;SecretName=approval-signing-keys)';
    const problems = problemsOf({
      ...base,
      BRICKLANE_DEV_SUBSCRIPTION_ID: SUB,
      BRICKLANE_APPROVAL_SIGNING_KEYS: reference,
      BRICKLANE_GITHUB_WEBHOOK_SECRET:
        ' @microsoft.keyvault(SecretUri=https://kv.vault.azure.net/secrets/gh/)',
      BRICKLANE_GITHUB_REPOSITORY: 'contoso/etl',
    });
    expect(problems).toEqual([
      expect.stringMatching(
        /^BRICKLANE_APPROVAL_SIGNING_KEYS is a Key Vault reference that App Service could not resolve: grant the app's identity 'Key Vault Secrets User'/,
      ),
      expect.stringMatching(/^BRICKLANE_GITHUB_WEBHOOK_SECRET is a Key Vault reference/),
    ]);
  });
});

describe('boundaries per environment', () => {
  const TOKEN = { BRICKLANE_DATABRICKS_AUTH: 'token' };
  const envs = (values: Record<string, string>): Record<string, string> => ({
    ...base,
    BRICKLANE_ENVIRONMENTS: 'dev,prod',
    BRICKLANE_DEV_SUBSCRIPTION_ID: SUB,
    BRICKLANE_PROD_SUBSCRIPTION_ID: SUB,
    ...TOKEN,
    ...values,
  });

  it('turns directory import off app-wide or per environment, and names a value that is neither on nor off', () => {
    expect(loadSettings(envs({})).environments.map((e) => e.directoryImport)).toEqual([undefined, undefined]);
    const off = loadSettings(
      envs({ BRICKLANE_DIRECTORY_IMPORT: 'off', BRICKLANE_DEV_DIRECTORY_IMPORT: 'on' }),
    );
    expect(off.environments.map((e) => [e.name, e.directoryImport])).toEqual([
      ['dev', undefined],
      ['prod', false],
    ]);
    const prodOnly = loadSettings(envs({ BRICKLANE_PROD_DIRECTORY_IMPORT: 'off' }));
    expect(prodOnly.environments.map((e) => e.directoryImport)).toEqual([undefined, false]);
    expect(problemsOf(envs({ BRICKLANE_DIRECTORY_IMPORT: 'no' }))).toEqual([
      'BRICKLANE_DIRECTORY_IMPORT must be on or off, got "no"',
    ]);
    expect(problemsOf(envs({ BRICKLANE_PROD_DIRECTORY_IMPORT: 'false' }))).toEqual([
      'BRICKLANE_PROD_DIRECTORY_IMPORT must be on or off, got "false"',
    ]);
  });

  it('runs the checks everywhere and lets them block by default; per environment run|skip and true|false', () => {
    const defaults = loadSettings(envs({}));
    expect(defaults.environments.map((e) => e.checks)).toEqual([
      { run: true, block: true },
      { run: true, block: true },
    ]);
    expect(defaults.checksPollInSeconds).toBe(10);
    const set = loadSettings(
      envs({
        BRICKLANE_DEV_CHECKS: 'skip',
        BRICKLANE_PROD_CHECKS_BLOCK: 'false',
        BRICKLANE_CHECKS_POLL_SECONDS: '2',
      }),
    );
    expect(set.environments.map((e) => [e.name, e.checks])).toEqual([
      ['dev', { run: false, block: true }],
      ['prod', { run: true, block: false }],
    ]);
    expect(set.checksPollInSeconds).toBe(2);
    expect(
      problemsOf(
        envs({
          BRICKLANE_DEV_CHECKS: 'off',
          BRICKLANE_PROD_CHECKS_BLOCK: 'no',
          BRICKLANE_CHECKS_POLL_SECONDS: '0',
        }),
      ),
    ).toEqual([
      'BRICKLANE_DEV_CHECKS must be run or skip, got "off"',
      'BRICKLANE_PROD_CHECKS_BLOCK must be true or false, got "no"',
      'BRICKLANE_CHECKS_POLL_SECONDS must be an integer from 1 to 60, got "0"',
    ]);
  });

  it('rolls back by hand by default; BRICKLANE_<ENV>_ROLLBACK=auto per environment, anything else refused', () => {
    expect(loadSettings(envs({})).environments.map((e) => e.rollback)).toEqual(['manual', 'manual']);
    const set = loadSettings(envs({ BRICKLANE_PROD_ROLLBACK: 'auto', BRICKLANE_DEV_ROLLBACK: 'manual' }));
    expect(set.environments.map((e) => [e.name, e.rollback])).toEqual([
      ['dev', 'manual'],
      ['prod', 'auto'],
    ]);
    expect(problemsOf(envs({ BRICKLANE_PROD_ROLLBACK: 'yes' }))).toEqual([
      'BRICKLANE_PROD_ROLLBACK must be auto or manual, got "yes"',
    ]);
  });

  it("defaults to the project's one deployment folder and nothing else: no DBFS, run_as, grants, repositories or adoption", () => {
    const s = loadSettings(envs({ BRICKLANE_PROJECT: 'Sales' }));
    for (const e of s.environments) {
      expect(e.boundaries).toEqual({
        workspaceRoots: ['/Shared/Sales'],
        volumeRoots: [],
        dbfsInitScriptRoots: [],
        runAs: [],
        permissions: [],
        gitSources: [],
        adoptExisting: false,
      });
    }
  });

  it('reads app-wide values and lets an environment override each', () => {
    const s = loadSettings(
      envs({
        BRICKLANE_WORKSPACE_ROOTS: '/Shared/MyProject, /Shared/Reports/',
        BRICKLANE_RUN_AS: 'ETL@contoso.com',
        BRICKLANE_PROD_RUN_AS: 'prod-runner@contoso.com',
        BRICKLANE_DEV_ADOPT_EXISTING: 'true',
        BRICKLANE_PROD_PERMISSIONS: 'group:data-engineers=CAN_MANAGE_RUN,servicePrincipal:ABC=CAN_VIEW',
        BRICKLANE_DEV_VOLUME_ROOTS: '/Volumes/main/ops/scripts',
        BRICKLANE_DEV_DBFS_INIT_SCRIPT_ROOTS: 'dbfs:/init-scripts/MyProject',
        BRICKLANE_GIT_SOURCES: 'https://github.com/Contoso/etl.git',
      }),
    );
    const [dev, prod] = s.environments;
    expect(dev?.boundaries).toEqual({
      workspaceRoots: ['/Shared/MyProject', '/Shared/Reports'],
      volumeRoots: ['/Volumes/main/ops/scripts'],
      dbfsInitScriptRoots: ['dbfs:/init-scripts/MyProject'],
      runAs: ['etl@contoso.com'],
      permissions: [],
      gitSources: ['github.com/contoso/etl'],
      adoptExisting: true,
    });
    expect(prod?.boundaries.runAs).toEqual(['prod-runner@contoso.com']);
    expect(prod?.boundaries.adoptExisting).toBe(false);
    expect(prod?.boundaries.permissions).toEqual([
      { kind: 'group', principal: 'data-engineers', level: 'CAN_MANAGE_RUN' },
      { kind: 'servicePrincipal', principal: 'abc', level: 'CAN_VIEW' },
    ]);
  });

  it.each([
    [
      'a relative workspace root',
      { BRICKLANE_DEV_WORKSPACE_ROOTS: 'Shared/x' },
      /BRICKLANE_DEV_WORKSPACE_ROOTS: "Shared\/x" must be an absolute folder/,
    ],
    [
      'the workspace root itself',
      { BRICKLANE_WORKSPACE_ROOTS: '/' },
      /BRICKLANE_WORKSPACE_ROOTS: "\/" must be an absolute folder/,
    ],
    [
      'a root with ..',
      { BRICKLANE_DEV_WORKSPACE_ROOTS: '/Shared/x/../y' },
      /must not have empty, "\." or "\.\." segments/,
    ],
    [
      'a volume as a workspace root',
      { BRICKLANE_DEV_WORKSPACE_ROOTS: '/Volumes/main/a/b' },
      /list volumes for init scripts in VOLUME_ROOTS/,
    ],
    [
      'a volume root above a volume',
      { BRICKLANE_DEV_VOLUME_ROOTS: '/Volumes/main/ops' },
      /at least 4 level\(s\) below/,
    ],
    [
      'a volume root that is no volume',
      { BRICKLANE_DEV_VOLUME_ROOTS: '/Shared/x' },
      /must be a Unity Catalog volume folder/,
    ],
    [
      'DBFS without a project folder',
      { BRICKLANE_DEV_DBFS_INIT_SCRIPT_ROOTS: 'dbfs:/init-scripts' },
      /at least 2 level\(s\) below dbfs:\//,
    ],
    [
      "DBFS in Databricks' global init folder",
      { BRICKLANE_DEV_DBFS_INIT_SCRIPT_ROOTS: 'dbfs:/databricks/init' },
      /global init scripts/,
    ],
    [
      'DBFS without the scheme',
      { BRICKLANE_DEV_DBFS_INIT_SCRIPT_ROOTS: '/init-scripts/x' },
      /must be a dbfs:\/ folder/,
    ],
    [
      'a grant without a level',
      { BRICKLANE_DEV_PERMISSIONS: 'group:data-engineers' },
      /must be <user\|group\|servicePrincipal>:<name>=<level>/,
    ],
    [
      'a grant of an unknown level',
      { BRICKLANE_DEV_PERMISSIONS: 'user:a@contoso.com=CAN_EVERYTHING' },
      /CAN_EVERYTHING/,
    ],
    [
      'IS_OWNER in the allow-list',
      { BRICKLANE_PERMISSIONS: 'user:a@contoso.com=IS_OWNER' },
      /cannot grant IS_OWNER/,
    ],
    [
      'a git source that is not https',
      { BRICKLANE_DEV_GIT_SOURCES: 'git@github.com:contoso/etl.git' },
      /must be an https:\/\/ repository URL/,
    ],
    [
      'adoption that is not a boolean',
      { BRICKLANE_DEV_ADOPT_EXISTING: 'yes' },
      /BRICKLANE_DEV_ADOPT_EXISTING must be true or false, got "yes"/,
    ],
    [
      'a project that cannot name a folder',
      { BRICKLANE_PROJECT: '../x' },
      /BRICKLANE_PROJECT must be 1–64 letters/,
    ],
    ['a project of dots', { BRICKLANE_PROJECT: '..' }, /BRICKLANE_PROJECT must be/],
  ])('refuses %s', (_name, values, expected) => {
    expect(problemsOf(envs(values)).join('\n')).toMatch(expected);
  });

  it('loadBoundaries reads only what a bundle is checked against (no ledger needed)', () => {
    expect(
      loadBoundaries({ BRICKLANE_ENVIRONMENTS: 'dev,qa', BRICKLANE_QA_RUN_AS: 'x@contoso.com' }),
    ).toEqual({
      project: 'MyProject',
      environments: [
        {
          name: 'dev',
          boundaries: expect.objectContaining({ workspaceRoots: ['/Shared/MyProject'], runAs: [] }),
        },
        { name: 'qa', boundaries: expect.objectContaining({ runAs: ['x@contoso.com'] }) },
      ],
    });
    expect(() => loadBoundaries({ BRICKLANE_QA_RUN_AS: 'x', BRICKLANE_DEV_ADOPT_EXISTING: 'maybe' })).toThrow(
      SettingsError,
    );
  });
});
