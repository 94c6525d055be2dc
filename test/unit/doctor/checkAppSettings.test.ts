import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/config/loadSettings';
import { checkAppSettings } from '../../../src/doctor/checkAppSettings';
import type { DoctorCheck } from '../../../src/doctor/DoctorCheck';
import { doctorRuntime } from '../../../src/doctor/DoctorRuntime';

const BASE = {
  BRICKLANE_ENVIRONMENTS: 'dev,qa',
  BRICKLANE_DEV_SUBSCRIPTION_ID: '00000000-0000-0000-0000-000000000001',
  BRICKLANE_QA_SUBSCRIPTION_ID: '00000000-0000-0000-0000-000000000001',
  BRICKLANE_LEDGER_CONNECTION: 'UseDevelopmentStorage=true',
  BRICKLANE_APPROVAL_SIGNING_KEYS: 'k'.repeat(40),
};
const IN_AZURE = {
  WEBSITE_HOSTNAME: 'bricklane-x.azurewebsites.net',
  WEBSITE_SITE_NAME: 'bricklane-x',
  WEBSITE_RESOURCE_GROUP: 'rg-app',
};

function run(values: Record<string, string>): Record<string, DoctorCheck> {
  const all = { ...BASE, ...values };
  return Object.fromEntries(checkAppSettings(loadSettings(all), doctorRuntime(all)).map((c) => [c.name, c]));
}

describe('checkAppSettings', () => {
  it.each([
    ['a strong key', {}, 'ok'],
    ['no key while qa needs approval', { BRICKLANE_APPROVAL_SIGNING_KEYS: '' }, 'fail'],
    [
      'no key and no approval anywhere',
      { BRICKLANE_APPROVAL_SIGNING_KEYS: '', BRICKLANE_ENVIRONMENTS: 'dev' },
      'skip',
    ],
    [
      "the sample's placeholder",
      { BRICKLANE_APPROVAL_SIGNING_KEYS: '<at least 32 random characters: openssl rand -base64 48>' },
      'fail',
    ],
  ])('signing keys: %s -> %s', (_, values, status) => {
    expect(run(values)['approval signing keys']?.status).toBe(status);
  });

  it.each([
    ['locally, the default localhost URL', {}, 'ok'],
    ['in Azure, the default localhost URL', IN_AZURE, 'fail'],
    [
      'in Azure, plain http',
      { ...IN_AZURE, BRICKLANE_PUBLIC_URL: 'http://bricklane-x.azurewebsites.net' },
      'fail',
    ],
    [
      'in Azure, the app host over https',
      { ...IN_AZURE, BRICKLANE_PUBLIC_URL: 'https://bricklane-x.azurewebsites.net' },
      'ok',
    ],
    ['in Azure, a custom domain', { ...IN_AZURE, BRICKLANE_PUBLIC_URL: 'https://deploy.contoso.com' }, 'ok'],
  ])('public URL: %s -> %s', (_, values, status) => {
    expect(run(values)['public URL']?.status).toBe(status);
  });

  it.each([
    ['nothing set', {}, 'skip'],
    [
      'a secret',
      { BRICKLANE_GITHUB_WEBHOOK_SECRET: 's3cret-value', BRICKLANE_GITHUB_REPOSITORY: 'contoso/etl' },
      'ok',
    ],
    ['a token but no secret', { BRICKLANE_GITHUB_TOKEN: 'ghp_x' }, 'fail'],
    [
      "the sample's placeholder",
      {
        BRICKLANE_GITHUB_WEBHOOK_SECRET: '<the secret of the GitHub webhook>',
        BRICKLANE_GITHUB_REPOSITORY: 'contoso/etl',
      },
      'fail',
    ],
  ])('GitHub webhook: %s -> %s', (_, values, status) => {
    expect(run(values)['GitHub webhook secret']?.status).toBe(status);
  });

  it.each([
    ['nothing set', {}, 'skip'],
    [
      'all three',
      {
        BRICKLANE_AZURE_DEVOPS_ORGANIZATION_URL: 'https://dev.azure.com/contoso',
        BRICKLANE_AZURE_DEVOPS_HOOK_USERNAME: 'u',
        BRICKLANE_AZURE_DEVOPS_HOOK_PASSWORD: 'p',
      },
      'ok',
    ],
    [
      'only the organization',
      { BRICKLANE_AZURE_DEVOPS_ORGANIZATION_URL: 'https://dev.azure.com/contoso' },
      'fail',
    ],
    ['only a PAT', { BRICKLANE_AZURE_DEVOPS_PAT: 'pat' }, 'fail'],
  ])('Azure Repos hook: %s -> %s', (_, values, status) => {
    expect(run(values)['Azure Repos service hook']?.status).toBe(status);
  });

  it('gives the Function App command in Azure and the local file otherwise, naming every missing setting', () => {
    const only = { BRICKLANE_AZURE_DEVOPS_ORGANIZATION_URL: 'https://dev.azure.com/contoso' };
    expect(run({ ...only, ...IN_AZURE })['Azure Repos service hook']?.fix).toBe(
      'az functionapp config appsettings set --name bricklane-x --resource-group rg-app --settings ' +
        "BRICKLANE_AZURE_DEVOPS_HOOK_USERNAME=<as in the service hook's Basic authentication> " +
        "BRICKLANE_AZURE_DEVOPS_HOOK_PASSWORD=<as in the service hook's Basic authentication>",
    );
    expect(run({ BRICKLANE_APPROVAL_SIGNING_KEYS: '' })['approval signing keys']?.fix).toBe(
      'export BRICKLANE_APPROVAL_SIGNING_KEYS="$(openssl rand -base64 48)" (for func start: local.settings.json "Values")',
    );
  });

  it('never repeats a secret value', () => {
    const secrets = {
      BRICKLANE_APPROVAL_SIGNING_KEYS: `${'a'.repeat(40)},${'b'.repeat(40)}`,
      BRICKLANE_GITHUB_WEBHOOK_SECRET: 'github-webhook-secret-value',
      BRICKLANE_GITHUB_REPOSITORY: 'contoso/etl',
      BRICKLANE_GITHUB_TOKEN: 'ghp_token_value',
      BRICKLANE_AZURE_DEVOPS_ORGANIZATION_URL: 'https://dev.azure.com/contoso',
      BRICKLANE_AZURE_DEVOPS_HOOK_USERNAME: 'hook-user',
      BRICKLANE_AZURE_DEVOPS_HOOK_PASSWORD: 'hook-password-value',
    };
    const text = JSON.stringify(run(secrets));
    expect(text).toContain('2 key(s)');
    for (const value of [
      'a'.repeat(40),
      'b'.repeat(40),
      'github-webhook-secret-value',
      'ghp_token_value',
      'hook-password-value',
    ]) {
      expect(text).not.toContain(value);
    }
  });
});

describe('doctorRuntime', () => {
  it.each([
    [{}, false],
    [{ WEBSITE_HOSTNAME: 'localhost:7071' }, false],
    [{ WEBSITE_HOSTNAME: '127.0.0.1:41234' }, false],
    [{ WEBSITE_HOSTNAME: 'bricklane-x.azurewebsites.net' }, true],
  ])('%j -> in Azure: %s', (values, inAzure) => {
    expect(doctorRuntime(values).inAzure).toBe(inAzure);
  });
});
