import { describe, expect, it } from 'vitest';
import { environmentByName, loadSettings } from '../../../src/config/loadSettings';
import { ringOf, targetKey } from '../../../src/config/readTargets';
import { instanceIdProblem } from '../../../src/config/instanceIdProblem';
import { problemsOf } from './settingsProblems';

const SUB = '00000000-0000-0000-0000-000000000001';
const OTHER_SUB = '00000000-0000-0000-0000-000000000002';
const base = {
  BRICKLANE_LEDGER_CONNECTION: 'UseDevelopmentStorage=true',
  BRICKLANE_ENVIRONMENTS: 'dev,prod',
  BRICKLANE_DEV_SUBSCRIPTION_ID: SUB,
  BRICKLANE_PROD_SUBSCRIPTION_ID: SUB,
  BRICKLANE_PROJECT: 'Shop',
};

describe('BRICKLANE_<ENV>_TARGETS', () => {
  it('leaves an environment without targets a ring of one, as before', () => {
    const settings = loadSettings(base);
    const prod = environmentByName(settings, 'prod');
    expect(prod.ring).toBeUndefined();
    expect(ringOf(prod)).toEqual([prod]);
  });

  it("names each target after the environment's seed names with the target as suffix", () => {
    const settings = loadSettings({ ...base, BRICKLANE_PROD_TARGETS: 'weu, neu,eus' });
    const prod = environmentByName(settings, 'prod');
    expect(prod.ring?.parallel).toBe(4);
    expect(
      ringOf(prod).map((t) => [t.name, t.subscriptionId, t.resourceGroup, t.workspaceName, t.keyVaultName]),
    ).toEqual([
      ['prod.weu', SUB, 'Databricks-Shop-Prod-weu', 'Databricks-Shop-Prod-weu', 'KeyVault-Shop-Prod-weu'],
      ['prod.neu', SUB, 'Databricks-Shop-Prod-neu', 'Databricks-Shop-Prod-neu', 'KeyVault-Shop-Prod-neu'],
      ['prod.eus', SUB, 'Databricks-Shop-Prod-eus', 'Databricks-Shop-Prod-eus', 'KeyVault-Shop-Prod-eus'],
    ]);
    // The environment itself is its canary's placement under its own name; each target is found by its key.
    expect(prod.resourceGroup).toBe('Databricks-Shop-Prod-weu');
    expect(environmentByName(settings, 'prod.neu').workspaceName).toBe('Databricks-Shop-Prod-neu');
    // Dev keeps its own.
    expect(environmentByName(settings, 'dev').resourceGroup).toBe('Databricks-Shop-Dev');
    // The approval, checks and rollback are the environment's, on every target.
    expect(new Set(ringOf(prod).map((t) => JSON.stringify([t.approval, t.checks, t.rollback])))).toEqual(
      new Set([JSON.stringify([prod.approval, prod.checks, prod.rollback])]),
    );
  });

  it("shortens the project in a seed vault name that the suffix would push over Azure's 24 characters", () => {
    const settings = loadSettings({
      ...base,
      BRICKLANE_PROJECT: 'MyProject',
      BRICKLANE_PROD_TARGETS: 'weu,northeu',
    });
    expect(ringOf(environmentByName(settings, 'prod')).map((t) => [t.keyVaultName, t.resourceGroup])).toEqual(
      [
        ['KeyVault-MyProj-Prod-weu', 'Databricks-MyProject-Prod-weu'],
        ['KeyVault-My-Prod-northeu', 'Databricks-MyProject-Prod-northeu'],
      ],
    );
  });

  it("suffixes the environment's own names when it sets them, and lets a target set its own", () => {
    const settings = loadSettings({
      ...base,
      BRICKLANE_PROD_TARGETS: 'weu,eus',
      BRICKLANE_PROD_TARGETS_PARALLEL: '2',
      BRICKLANE_PROD_RESOURCE_GROUP: 'rg-shop-prod',
      BRICKLANE_PROD_KEY_VAULT: 'kv-shop-prod',
      BRICKLANE_PROD_LOCATION: 'westeurope',
      BRICKLANE_PROD_EUS_SUBSCRIPTION_ID: OTHER_SUB,
      BRICKLANE_PROD_EUS_LOCATION: 'eastus',
      BRICKLANE_PROD_EUS_WORKSPACE_NAME: 'dbw-shop-us',
    });
    const [weu, eus] = ringOf(environmentByName(settings, 'prod'));
    expect(environmentByName(settings, 'prod').ring?.parallel).toBe(2);
    expect(weu).toMatchObject({
      subscriptionId: SUB,
      location: 'westeurope',
      resourceGroup: 'rg-shop-prod-weu',
      workspaceName: 'Databricks-Shop-Prod-weu',
      keyVaultName: 'kv-shop-prod-weu',
    });
    expect(eus).toMatchObject({
      subscriptionId: OTHER_SUB,
      location: 'eastus',
      resourceGroup: 'rg-shop-prod-eus',
      workspaceName: 'dbw-shop-us',
      keyVaultName: 'kv-shop-prod-eus',
    });
  });

  it("reads each target's workspace URL in token mode; the token may be the environment's", () => {
    const settings = loadSettings({
      ...base,
      BRICKLANE_PROD_DATABRICKS_AUTH: 'token',
      BRICKLANE_PROD_DATABRICKS_TOKEN: 'dapi-shared',
      BRICKLANE_PROD_TARGETS: 'a,b',
      BRICKLANE_PROD_A_WORKSPACE_URL: 'https://adb-1.azuredatabricks.net/',
      BRICKLANE_PROD_B_WORKSPACE_URL: 'https://adb-2.azuredatabricks.net',
      BRICKLANE_PROD_B_DATABRICKS_TOKEN: 'dapi-b',
    });
    expect(
      ringOf(environmentByName(settings, 'prod')).map((t) => [t.workspaceUrl, t.databricksToken]),
    ).toEqual([
      ['https://adb-1.azuredatabricks.net', 'dapi-shared'],
      ['https://adb-2.azuredatabricks.net', 'dapi-b'],
    ]);
  });

  it.each([
    {
      name: 'a target name that is not lower-case letters and digits',
      values: { BRICKLANE_PROD_TARGETS: 'weu,North-EU' },
      problem:
        'BRICKLANE_PROD_TARGETS: "North-EU" is not a valid target name (lower-case letters and digits, starting with a letter, at most 12)',
    },
    {
      name: 'a target listed twice',
      values: { BRICKLANE_PROD_TARGETS: 'weu,weu' },
      problem: 'BRICKLANE_PROD_TARGETS: a target is listed twice',
    },
    {
      name: 'more than 20 targets',
      values: { BRICKLANE_PROD_TARGETS: Array.from({ length: 21 }, (_, i) => `t${i}`).join(',') },
      problem: 'BRICKLANE_PROD_TARGETS must name 1 to 20 targets, got 21',
    },
    {
      name: 'no target at all',
      values: { BRICKLANE_PROD_TARGETS: ' , ' },
      problem: 'BRICKLANE_PROD_TARGETS must name 1 to 20 targets, got 0',
    },
    {
      name: 'a parallel bound that is not a count',
      values: { BRICKLANE_PROD_TARGETS: 'weu', BRICKLANE_PROD_TARGETS_PARALLEL: '0' },
      problem: 'BRICKLANE_PROD_TARGETS_PARALLEL must be an integer from 1 to 20, got "0"',
    },
    {
      name: "a target's bad subscription, named by the target's setting",
      values: { BRICKLANE_PROD_TARGETS: 'weu,eus', BRICKLANE_PROD_EUS_SUBSCRIPTION_ID: 'nope' },
      problem: 'BRICKLANE_PROD_EUS_SUBSCRIPTION_ID must be a subscription id (a GUID), got "nope"',
    },
    {
      name: "an environment's own vault name that the suffix pushes over Azure's 24 characters",
      values: { BRICKLANE_PROD_KEY_VAULT: 'kv-contoso-shop-prod-01', BRICKLANE_PROD_TARGETS: 'weu' },
      problem:
        'Key Vault name "kv-contoso-shop-prod-01-weu" must be 3–24 characters (it has 27); set BRICKLANE_PROD_WEU_KEY_VAULT to a valid name',
    },
    {
      name: "a token-mode target without its own workspace URL (the environment's is never inherited)",
      values: {
        BRICKLANE_PROD_DATABRICKS_AUTH: 'token',
        BRICKLANE_PROD_DATABRICKS_TOKEN: 'dapi-x',
        BRICKLANE_PROD_WORKSPACE_URL: 'https://adb-0.azuredatabricks.net',
        BRICKLANE_PROD_TARGETS: 'weu',
      },
      problem:
        'BRICKLANE_PROD_WEU_WORKSPACE_URL is not set: token mode needs the workspace URL (https://adb-....azuredatabricks.net)',
    },
  ])('refuses $name, with the setting to fix', ({ values, problem }) => {
    expect(problemsOf({ ...base, ...values })).toEqual([problem]);
  });

  it('reports an environment-wide problem once, not once per target', () => {
    expect(
      problemsOf({ ...base, BRICKLANE_PROD_TARGETS: 'a,b,c', BRICKLANE_PROD_APPROVAL_TIMEOUT_HOURS: '0' }),
    ).toEqual(['BRICKLANE_PROD_APPROVAL_TIMEOUT_HOURS must be a number of hours from 1 to 720']);
  });

  it('keys a target so that it is a valid instance id part, blob path part and never an environment name', () => {
    const key = targetKey('prod', 'weu');
    expect(key).toBe('prod.weu');
    expect(instanceIdProblem(`release-1:${key}:target`)).toBeUndefined();
    expect(encodeURIComponent(key)).toBe(key);
    expect(problemsOf({ ...base, BRICKLANE_ENVIRONMENTS: `dev,${key}` })).toEqual([
      expect.stringContaining(`"${key}" is not a valid environment name`),
    ]);
  });
});
