import { describe, expect, it } from 'vitest';
import { ANONYMOUS_APPROVER, resolveApprover, signedInName } from '../../../src/approvals/resolveApprover';

const OID = 'http://schemas.microsoft.com/identity/claims/objectidentifier';
const UPN = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn';
const EMAIL = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress';
const ALICE_ID = '6f1d2c3b-0a9e-4c8d-9b7a-1e2f3a4b5c6d';
const MALLORY_ID = '0b9c8d7e-6f5a-4b3c-8d2e-1f0a9b8c7d6e';

function principal(claims: Array<[string, string]>, authType = 'aad', nameType?: string): string {
  const value = {
    auth_typ: authType,
    ...(nameType ? { name_typ: nameType } : {}),
    claims: claims.map(([typ, val]) => ({ typ, val })),
  };
  return Buffer.from(JSON.stringify(value)).toString('base64');
}

/** What App Service Authentication sends for a user Microsoft Entra ID signed in (v1.0 token, mapped claims). */
function entra(objectId: string, claims: Array<[string, string]>, name?: string): Record<string, string> {
  return {
    'x-ms-client-principal-idp': 'aad',
    'x-ms-client-principal-id': objectId,
    ...(name ? { 'x-ms-client-principal-name': name } : {}),
    'x-ms-client-principal': principal([[OID, objectId], ...claims]),
  };
}

const ALICE = entra(ALICE_ID, [
  ['name', 'Alice Smith'],
  [UPN, 'Alice@Contoso.com'],
]);
// The finding: UPN mallory, e-mail (and Easy Auth's name header, and preferred_username) alice.
const MALLORY_MAILED_AS_ALICE = entra(
  MALLORY_ID,
  [
    ['name', 'Mallory'],
    [UPN, 'mallory@contoso.com'],
    [EMAIL, 'alice@contoso.com'],
    ['email', 'alice@contoso.com'],
    ['emails', 'alice@contoso.com'],
    ['preferred_username', 'alice@contoso.com'],
  ],
  'alice@contoso.com',
);
// A display name is not a login: with some providers users pick it themselves.
const MALLORY_NAMED_ALICE = entra(MALLORY_ID, [
  ['name', 'alice@contoso.com'],
  [UPN, 'mallory@contoso.com'],
]);
// v2.0 tokens without the upn optional claim: only the object id can match.
const BOB_V2 = entra('2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d', [
  ['name', 'Bob'],
  ['preferred_username', 'bob@contoso.com'],
]);
// Another provider (GitHub) with a login that looks like a listed UPN, and a GUID-shaped id.
const GITHUB_ALICE = {
  'x-ms-client-principal-idp': 'github',
  'x-ms-client-principal-id': ALICE_ID,
  'x-ms-client-principal-name': 'alice@contoso.com',
  'x-ms-client-principal': principal([[UPN, 'alice@contoso.com']], 'github'),
};
// The header says Entra ID, the principal another provider: neither is trusted for ids.
const MIXED_PROVIDER = { ...GITHUB_ALICE, 'x-ms-client-principal-idp': 'aad' };
const DISPLAY_NAME_ONLY = {
  'x-ms-client-principal-idp': 'aad',
  'x-ms-client-principal': principal([['name', 'Carol']]),
};
const GARBAGE = { 'x-ms-client-principal': '%%%not base64 json' };

const headers = (values: Record<string, string>) => new Headers(values);

describe('resolveApprover', () => {
  it.each([
    // [case, headers, allow-list, easy auth, expected]
    [
      'anyone, signed in',
      ALICE,
      [],
      true,
      {
        ok: true,
        approver: 'Alice@Contoso.com',
        authenticated: true,
        objectId: ALICE_ID,
        displayName: 'Alice Smith',
      },
    ],
    ['anyone, anonymous', {}, [], true, { ok: true, approver: ANONYMOUS_APPROVER, authenticated: false }],
    [
      'anyone, unparsable principal',
      GARBAGE,
      [],
      true,
      { ok: true, approver: ANONYMOUS_APPROVER, authenticated: false },
    ],
    [
      'anyone, display name only',
      DISPLAY_NAME_ONLY,
      [],
      true,
      { ok: true, approver: 'Carol', authenticated: true },
    ],
    [
      'anyone, another provider: recorded with the provider, never as a bare name',
      GITHUB_ALICE,
      [],
      true,
      { ok: true, approver: 'alice@contoso.com (github)', authenticated: true },
    ],
    [
      'listed by UPN, case-insensitive',
      ALICE,
      ['alice@contoso.com'],
      true,
      { ok: true, approver: 'Alice@Contoso.com', authenticated: true, objectId: ALICE_ID },
    ],
    [
      'listed by object id, spelled in capitals with spaces',
      ALICE,
      [` ${ALICE_ID.toUpperCase()} `],
      true,
      { ok: true, approver: 'Alice@Contoso.com', authenticated: true, objectId: ALICE_ID },
    ],
    [
      'listed by object id, v2.0 token without a UPN',
      BOB_V2,
      ['2A3B4C5D-6E7F-4A8B-9C0D-1E2F3A4B5C6D'],
      true,
      { ok: true, approver: 'Bob', authenticated: true, objectId: '2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d' },
    ],
    [
      'preferred_username is not a UPN',
      BOB_V2,
      ['bob@contoso.com'],
      true,
      { ok: false, reason: 'notAllowed', approver: 'Bob' },
    ],
    [
      'not listed',
      ALICE,
      ['bob@contoso.com'],
      true,
      { ok: false, reason: 'notAllowed', approver: 'Alice@Contoso.com' },
    ],
    [
      'e-mail claims, name header and preferred_username equal to a listed UPN',
      MALLORY_MAILED_AS_ALICE,
      ['alice@contoso.com'],
      true,
      { ok: false, reason: 'notAllowed', approver: 'mallory@contoso.com' },
    ],
    [
      'display name equal to a listed UPN',
      MALLORY_NAMED_ALICE,
      ['alice@contoso.com'],
      true,
      { ok: false, reason: 'notAllowed', approver: 'mallory@contoso.com' },
    ],
    [
      'another provider with a listed name and object id',
      GITHUB_ALICE,
      ['alice@contoso.com', ALICE_ID],
      true,
      { ok: false, reason: 'notAllowed', approver: 'alice@contoso.com (github)' },
    ],
    [
      'Entra ID header, principal of another provider',
      MIXED_PROVIDER,
      ['alice@contoso.com', ALICE_ID],
      true,
      { ok: false, reason: 'notAllowed' },
    ],
    [
      'object id header and claim disagree',
      { ...ALICE, 'x-ms-client-principal-id': MALLORY_ID },
      [ALICE_ID, MALLORY_ID],
      true,
      { ok: false, reason: 'notAllowed' },
    ],
    [
      'display name only, list set',
      DISPLAY_NAME_ONLY,
      ['carol'],
      true,
      { ok: false, reason: 'notAllowed', approver: 'Carol' },
    ],
    ['anonymous, list set', {}, ['alice@contoso.com'], true, { ok: false, reason: 'signInRequired' }],
    // Without Easy Auth the headers are whatever the caller typed.
    [
      'forged headers, no Easy Auth, no list',
      ALICE,
      [],
      false,
      { ok: true, approver: ANONYMOUS_APPROVER, authenticated: false },
    ],
    [
      'forged headers, no Easy Auth, list set',
      ALICE,
      ['alice@contoso.com'],
      false,
      { ok: false, reason: 'authNotEnabled' },
    ],
  ] as const)('%s', (_name, values, approvers, easyAuthEnabled, expected) => {
    const result = resolveApprover(headers(values), { environment: 'qa', approvers, easyAuthEnabled });
    expect(result).toMatchObject(expected);
    if (!result.ok) expect(result.message).toMatch(/qa/);
  });

  it('never matches the claim Easy Auth names as the name claim (it may be an e-mail address)', () => {
    const values = {
      ...entra(MALLORY_ID, [[EMAIL, 'dave@contoso.com']]),
      'x-ms-client-principal': principal(
        [
          [OID, MALLORY_ID],
          [EMAIL, 'dave@contoso.com'],
        ],
        'aad',
        EMAIL,
      ),
    };
    expect(
      resolveApprover(headers(values), {
        environment: 'prod',
        approvers: ['dave@contoso.com'],
        easyAuthEnabled: true,
      }),
    ).toMatchObject({ ok: false, reason: 'notAllowed', message: expect.stringContaining(MALLORY_ID) });
  });
});

describe('signedInName', () => {
  it('names the signed-in user only when App Service Authentication is on', () => {
    expect(signedInName(headers(MALLORY_MAILED_AS_ALICE), true)).toBe('mallory@contoso.com');
    expect(signedInName(headers(MALLORY_MAILED_AS_ALICE), false)).toBeUndefined();
    expect(
      signedInName(headers({ 'x-ms-client-principal-name': 'alice@contoso.com' }), false),
    ).toBeUndefined();
    expect(signedInName(headers({}), true)).toBeUndefined();
  });
});

describe('resolveApprover with approver groups', () => {
  const GROUP_CLAIM = 'groups';
  const MAPPED_GROUP_CLAIM = 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups';
  const RELEASE_MANAGERS = '9d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6';
  const OTHER_GROUP = '11112222-3333-4444-8555-666677778888';
  const policy = {
    environment: 'prod',
    approvers: ['carol@contoso.com'],
    groups: [RELEASE_MANAGERS.toUpperCase()],
    easyAuthEnabled: true,
  };
  const member = (claims: Array<[string, string]>): Record<string, string> =>
    entra(MALLORY_ID, [[UPN, 'dana@contoso.com'], ...claims]);

  it.each([
    [
      'a member by the groups claim (one claim per group)',
      [
        [GROUP_CLAIM, OTHER_GROUP],
        [GROUP_CLAIM, RELEASE_MANAGERS],
      ],
    ],
    ['a member by the mapped claim type', [[MAPPED_GROUP_CLAIM, RELEASE_MANAGERS]]],
  ] as Array<[string, Array<[string, string]>]>)('lets %s decide, saying which group', (_name, claims) => {
    expect(resolveApprover(headers(member(claims)), policy)).toMatchObject({
      ok: true,
      approver: 'dana@contoso.com',
      upn: 'dana@contoso.com',
      objectId: MALLORY_ID,
      via: `group:${RELEASE_MANAGERS}`,
    });
  });

  it('still lets the allow-list decide, and says so', () => {
    const carol = entra(ALICE_ID, [[UPN, 'carol@contoso.com']]);
    expect(resolveApprover(headers(carol), policy)).toMatchObject({ ok: true, via: 'allowList' });
  });

  it('refuses a member of other groups only, and names the object id to list', () => {
    expect(resolveApprover(headers(member([[GROUP_CLAIM, OTHER_GROUP]])), policy)).toMatchObject({
      ok: false,
      reason: 'notAllowed',
      message: expect.stringContaining(`list their object id ${MALLORY_ID}`),
    });
  });

  it('refuses a user whose token has no group list (group overage), saying why', () => {
    const overage = member([['_claim_names', '{"groups":"src1"}']]);
    expect(resolveApprover(headers(overage), policy)).toMatchObject({
      ok: false,
      reason: 'notAllowed',
      message: expect.stringContaining('carries no group list'),
    });
    expect(resolveApprover(headers(member([['hasgroups', 'true']])), policy)).toMatchObject({
      ok: false,
      message: expect.stringContaining('carries no group list'),
    });
  });

  it('never takes group claims from another provider, nor without App Service Authentication', () => {
    const github = {
      'x-ms-client-principal-idp': 'github',
      'x-ms-client-principal': principal([[GROUP_CLAIM, RELEASE_MANAGERS]], 'github'),
    };
    expect(resolveApprover(headers(github), policy)).toMatchObject({ ok: false, reason: 'notAllowed' });
    const forged = member([[GROUP_CLAIM, RELEASE_MANAGERS]]);
    expect(resolveApprover(headers(forged), { ...policy, easyAuthEnabled: false })).toMatchObject({
      ok: false,
      reason: 'authNotEnabled',
    });
  });

  it('with groups only (no allow-list) still needs a signed-in member', () => {
    const groupsOnly = { ...policy, approvers: [] };
    expect(resolveApprover(headers({}), groupsOnly)).toMatchObject({ ok: false, reason: 'signInRequired' });
  });
});
