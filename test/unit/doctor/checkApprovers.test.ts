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
    [
      'qa, approver groups without Easy Auth',
      'qa',
      { BRICKLANE_QA_APPROVER_GROUPS: '6f1e2d3c-0000-4000-8000-000000000001' },
      'fail',
    ],
    [
      'qa, approver groups and Easy Auth',
      'qa',
      { BRICKLANE_QA_APPROVER_GROUPS: '6f1e2d3c-0000-4000-8000-000000000001', WEBSITE_AUTH_ENABLED: 'true' },
      'ok',
    ],
    ['qa, a quorum of 2 without Easy Auth', 'qa', { BRICKLANE_QA_APPROVALS_REQUIRED: '2' }, 'fail'],
    [
      'qa, a quorum of 2 and Easy Auth',
      'qa',
      { BRICKLANE_QA_APPROVALS_REQUIRED: '2', WEBSITE_AUTH_ENABLED: 'true' },
      'ok',
    ],
    [
      'qa, self-approval refused explicitly without Easy Auth',
      'qa',
      { BRICKLANE_QA_ALLOW_SELF_APPROVAL: 'false' },
      'fail',
    ],
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

  it('a quorum that nobody can reach without sign-in says so, with both ways out', () => {
    const check = approvers('qa', { BRICKLANE_QA_APPROVALS_REQUIRED: '2' });
    expect(check.detail).toContain(
      '2 distinct approvers are required, but App Service Authentication is off',
    );
    expect(check.detail).toContain('would wait here until its approval expires');
    expect(check.fix).toContain(
      'az webapp auth update --name bricklane-x --resource-group rg-app --enabled true',
    );
    expect(check.fix).toContain('--settings BRICKLANE_QA_APPROVALS_REQUIRED=1');
  });

  it('approver groups without sign-in name the groups, and the fix clears them too', () => {
    const check = approvers('qa', { BRICKLANE_QA_APPROVER_GROUPS: '6f1e2d3c-0000-4000-8000-000000000001' });
    expect(check.detail).toContain('members of group 6f1e2d3c-0000-4000-8000-000000000001 may approve');
    expect(check.fix).toContain('BRICKLANE_QA_APPROVER_GROUPS=""');
  });
});
