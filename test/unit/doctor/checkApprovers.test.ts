import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/config/loadSettings';
import { checkApprovers } from '../../../src/doctor/checkApprovers';
import type { DoctorCheck } from '../../../src/doctor/DoctorCheck';
import { doctorRuntime } from '../../../src/doctor/DoctorRuntime';

const BASE = {
  BRICKLANE_ENVIRONMENTS: 'dev,qa',
  BRICKLANE_DEV_SUBSCRIPTION_ID: '00000000-0000-0000-0000-000000000001',
  BRICKLANE_QA_SUBSCRIPTION_ID: '00000000-0000-0000-0000-000000000001',
  BRICKLANE_LEDGER_CONNECTION: 'UseDevelopmentStorage=true',
  WEBSITE_HOSTNAME: 'bricklane-x.azurewebsites.net',
  WEBSITE_SITE_NAME: 'bricklane-x',
  WEBSITE_RESOURCE_GROUP: 'rg-app',
};

function approvers(envName: string, values: Record<string, string>): DoctorCheck {
  const all = { ...BASE, ...values };
  const env = loadSettings(all).environments.find((e) => e.name === envName);
  if (!env) throw new Error(`no ${envName}`);
  return checkApprovers(env, doctorRuntime(all));
}

describe('checkApprovers', () => {
  it.each([
    ['dev (no approval)', 'dev', {}, 'skip'],
    ['qa, anyone with the link', 'qa', {}, 'ok'],
    [
      'qa, an allow-list and Easy Auth',
      'qa',
      { BRICKLANE_QA_APPROVERS: 'alice@contoso.com', WEBSITE_AUTH_ENABLED: 'True' },
      'ok',
    ],
    ['qa, an allow-list without Easy Auth', 'qa', { BRICKLANE_QA_APPROVERS: 'alice@contoso.com' }, 'fail'],
  ])('%s -> %s', (_, env, values, status) => {
    expect(approvers(env, values).status).toBe(status);
  });

  it('says how to enable App Service Authentication, or how to drop the allow-list', () => {
    const check = approvers('qa', { BRICKLANE_QA_APPROVERS: 'alice@contoso.com' });
    expect(check.detail).toContain('alice@contoso.com may approve, but App Service Authentication is off');
    expect(check.fix).toContain(
      'az webapp auth update --name bricklane-x --resource-group rg-app --enabled true --unauthenticated-client-action AllowAnonymous',
    );
    expect(check.fix).toContain('--settings BRICKLANE_QA_APPROVERS=""');
  });
});
