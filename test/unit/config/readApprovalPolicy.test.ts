import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/config/loadSettings';
import { DEFAULT_APPROVAL_POLICY } from '../../../src/config/readApprovalPolicy';

const SUB = '00000000-0000-0000-0000-000000000001';
const GROUP = '9d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6';
const three = {
  BRICKLANE_LEDGER_CONNECTION: 'UseDevelopmentStorage=true',
  BRICKLANE_ENVIRONMENTS: 'dev,qa,prod',
  BRICKLANE_DEV_SUBSCRIPTION_ID: SUB,
  BRICKLANE_QA_SUBSCRIPTION_ID: SUB,
  BRICKLANE_PROD_SUBSCRIPTION_ID: SUB,
};

/** The problems loadSettings refuses `values` with (SettingsError lists every one). */
const refusal = (problems: unknown[]): unknown => expect.objectContaining({ problems });

describe('approval policy settings', () => {
  it('defaults: one approval everywhere; no self-approval for the last environment of two or more only', () => {
    const settings = loadSettings(three);
    expect(settings.environments.map((e) => [e.name, e.approval.policy])).toEqual([
      ['dev', DEFAULT_APPROVAL_POLICY],
      ['qa', DEFAULT_APPROVAL_POLICY],
      ['prod', { quorum: 1, groups: [], allowSelfApproval: false, selfApprovalStrict: false }],
    ]);
    expect(settings.identityMap).toEqual({});
    // A lone environment has nobody else to ask.
    const alone = loadSettings({ BRICKLANE_LEDGER_CONNECTION: 'x', BRICKLANE_DEV_SUBSCRIPTION_ID: SUB });
    expect(alone.environments[0]?.approval.policy.allowSelfApproval).toBe(true);
  });

  it('reads a quorum, approver groups, the self-approval switch and the identity map', () => {
    const settings = loadSettings({
      ...three,
      BRICKLANE_PROD_APPROVERS: 'alice@contoso.com,bob@contoso.com,carol@contoso.com',
      BRICKLANE_PROD_APPROVALS_REQUIRED: '2',
      BRICKLANE_QA_APPROVER_GROUPS: ` ${GROUP.toUpperCase()} `,
      BRICKLANE_QA_APPROVALS_REQUIRED: '3',
      BRICKLANE_QA_ALLOW_SELF_APPROVAL: 'false',
      BRICKLANE_PROD_ALLOW_SELF_APPROVAL: 'true',
      BRICKLANE_IDENTITY_MAP: 'github:MonaLisa=Mona@contoso.com, github:hubot=' + GROUP,
    });
    const policy = (name: string) => settings.environments.find((e) => e.name === name)?.approval.policy;
    expect(policy('prod')).toEqual({
      quorum: 2,
      groups: [],
      allowSelfApproval: true,
      selfApprovalStrict: false,
    });
    // With groups the quorum may exceed the list: members count too.
    expect(policy('qa')).toEqual({
      quorum: 3,
      groups: [GROUP],
      allowSelfApproval: false,
      selfApprovalStrict: true,
    });
    expect(settings.identityMap).toEqual({ 'github:monalisa': 'mona@contoso.com', 'github:hubot': GROUP });
  });

  it('refuses a quorum the allow-list cannot reach, with what to change', () => {
    expect(() =>
      loadSettings({
        ...three,
        BRICKLANE_PROD_APPROVERS: 'alice@contoso.com,bob@contoso.com',
        BRICKLANE_PROD_APPROVALS_REQUIRED: '3',
      }),
    ).toThrow(
      refusal([
        'BRICKLANE_PROD_APPROVALS_REQUIRED is 3, but BRICKLANE_PROD_APPROVERS lists 2 approver(s): the wait could ' +
          'never end. Add approvers (or BRICKLANE_PROD_APPROVER_GROUPS), or lower the count',
      ]),
    );
  });

  it.each([
    ['BRICKLANE_QA_APPROVALS_REQUIRED', '0', 'must be a whole number from 1 to 10, got "0"'],
    ['BRICKLANE_QA_APPROVALS_REQUIRED', '1.5', 'must be a whole number from 1 to 10'],
    ['BRICKLANE_QA_APPROVALS_REQUIRED', '11', 'must be a whole number from 1 to 10'],
    [
      'BRICKLANE_QA_APPROVER_GROUPS',
      'release-managers',
      'must list Microsoft Entra group object ids (GUIDs), got "release-managers"',
    ],
    ['BRICKLANE_QA_ALLOW_SELF_APPROVAL', 'no', 'must be true or false, got "no"'],
    [
      'BRICKLANE_IDENTITY_MAP',
      'monalisa=mona@contoso.com',
      'is not <source>:<name>=<Entra UPN or object id>',
    ],
    [
      'BRICKLANE_IDENTITY_MAP',
      'gitlab:mona=mona@contoso.com',
      'is not <source>:<name>=<Entra UPN or object id>',
    ],
  ])('refuses %s=%s', (key, value, problem) => {
    // The one problem names the setting first, then what is wrong with it.
    const said = new RegExp(`^${key}\\b.*${problem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
    expect(() => loadSettings({ ...three, [key]: value })).toThrow(refusal([expect.stringMatching(said)]));
  });
});
