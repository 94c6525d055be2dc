import { describe, expect, it } from 'vitest';
import { loadSettings, SettingsError } from '../../../src/config/loadSettings';

const SUB = '00000000-0000-0000-0000-000000000001';
const base = { BRICKLANE_LEDGER_CONNECTION: 'UseDevelopmentStorage=true' };

function problemsOf(values: Record<string, string | undefined>): string[] {
  try {
    loadSettings(values);
    return [];
  } catch (error) {
    if (error instanceof SettingsError) return error.problems;
    throw error;
  }
}

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
