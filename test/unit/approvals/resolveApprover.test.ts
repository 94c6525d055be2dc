import { describe, expect, it } from 'vitest';
import { ANONYMOUS_APPROVER, resolveApprover } from '../../../src/approvals/resolveApprover';

function principal(claims: Array<[string, string]>, nameType?: string): string {
  const value = {
    auth_typ: 'aad',
    ...(nameType ? { name_typ: nameType } : {}),
    claims: claims.map(([typ, val]) => ({ typ, val })),
  };
  return Buffer.from(JSON.stringify(value)).toString('base64');
}

const ALICE = {
  'x-ms-client-principal-name': 'Alice@Contoso.com',
  'x-ms-client-principal': principal([
    ['name', 'Alice Smith'],
    ['preferred_username', 'alice@contoso.com'],
  ]),
};
const BOB_BY_CLAIMS_ONLY = {
  'x-ms-client-principal': principal([
    ['name', 'Bob'],
    ['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress', 'bob@contoso.com'],
  ]),
};
// A display name is not a login: with some providers users pick it themselves.
const MALLORY_NAMED_ALICE = {
  'x-ms-client-principal': principal([
    ['name', 'alice@contoso.com'],
    ['preferred_username', 'mallory@contoso.com'],
  ]),
};
const DISPLAY_NAME_ONLY = { 'x-ms-client-principal': principal([['name', 'Carol']]) };
const GARBAGE = { 'x-ms-client-principal': '%%%not base64 json' };

const headers = (values: Record<string, string>) => new Headers(values);

describe('resolveApprover', () => {
  it.each([
    // [case, headers, allow-list, easy auth, expected]
    ['anyone, signed in', ALICE, [], true, { ok: true, approver: 'Alice@Contoso.com', authenticated: true }],
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
      'listed, case-insensitive',
      ALICE,
      ['alice@contoso.com'],
      true,
      { ok: true, approver: 'Alice@Contoso.com', authenticated: true },
    ],
    [
      'listed by an e-mail claim',
      BOB_BY_CLAIMS_ONLY,
      ['bob@contoso.com'],
      true,
      { ok: true, approver: 'bob@contoso.com', authenticated: true },
    ],
    [
      'listed, allow-list spelled in capitals',
      BOB_BY_CLAIMS_ONLY,
      [' BOB@contoso.com '],
      true,
      { ok: true, approver: 'bob@contoso.com', authenticated: true },
    ],
    [
      'not listed',
      ALICE,
      ['bob@contoso.com'],
      true,
      { ok: false, reason: 'notAllowed', approver: 'Alice@Contoso.com' },
    ],
    [
      'display name equal to a listed login',
      MALLORY_NAMED_ALICE,
      ['alice@contoso.com'],
      true,
      { ok: false, reason: 'notAllowed', approver: 'mallory@contoso.com' },
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

  it('uses the claim Easy Auth names as the name claim', () => {
    const values = {
      'x-ms-client-principal': principal([['urn:custom:login', 'dave@contoso.com']], 'urn:custom:login'),
    };
    expect(
      resolveApprover(headers(values), {
        environment: 'prod',
        approvers: ['dave@contoso.com'],
        easyAuthEnabled: true,
      }),
    ).toEqual({
      ok: true,
      approver: 'dave@contoso.com',
      authenticated: true,
    });
  });
});
