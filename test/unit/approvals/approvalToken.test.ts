import { describe, expect, it } from 'vitest';
import {
  approvalTokenMac,
  approvalUrl,
  approvalWaitId,
  createApprovalToken,
  decodeBase64Url,
  describeTokenFailure,
  MissingSigningKeyError,
  createListViewToken,
  createRollbackToken,
  createViewToken,
  rollbackUrl,
  verifyApprovalToken,
  verifyListViewToken,
  verifyRollbackToken,
  verifyViewToken,
  viewUrl,
} from '../../../src/approvals/approvalToken';

const KEY = 'k'.repeat(40);
const OLD_KEY = 'o'.repeat(40);
const NOW = new Date('2026-11-25T10:00:00Z');
const IN_ONE_HOUR = NOW.getTime() / 1000 + 3600;
const claims = { releaseId: 'github-contoso-etl-3f2a9c1', environment: 'qa', expiresAt: IN_ONE_HOUR };

/** A token whose payload is whatever we like, correctly signed: only the claim checks can refuse it. */
function signedPayload(payload: string, key = KEY): string {
  const part = Buffer.from(payload, 'utf8').toString('base64url');
  return `${part}.${approvalTokenMac(part, key).toString('base64url')}`;
}

describe('approval tokens', () => {
  it('round-trips claims, with and without a nonce', () => {
    expect(verifyApprovalToken(createApprovalToken(claims, [KEY]), [KEY], NOW)).toEqual({ ok: true, claims });
    const withNonce = { ...claims, nonce: '5b0e1f7c-2d1a-4c8e-9f55-2c1b1d2f3a4b' };
    expect(verifyApprovalToken(createApprovalToken(withNonce, [KEY]), [KEY], NOW)).toEqual({
      ok: true,
      claims: withNonce,
    });
  });

  it('is two base64url parts: a compact payload and a 32-byte HMAC', () => {
    const token = createApprovalToken(claims, [KEY]);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    const [payload = ''] = token.split('.');
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))).toEqual({
      v: 1,
      r: claims.releaseId,
      e: 'qa',
      x: IN_ONE_HOUR,
    });
  });

  it('refuses the token when any single character is changed', () => {
    const token = createApprovalToken({ ...claims, nonce: 'n1' }, [KEY]);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    let tried = 0;
    for (let i = 0; i < token.length; i++) {
      for (const replacement of [
        alphabet[(alphabet.indexOf(token[i] ?? '') + 1) % alphabet.length],
        'A',
        '_',
      ]) {
        if (replacement === undefined || replacement === token[i]) continue;
        const tampered = token.slice(0, i) + replacement + token.slice(i + 1);
        expect(verifyApprovalToken(tampered, [KEY], NOW).ok, `position ${i} -> ${replacement}`).toBe(false);
        tried++;
      }
    }
    expect(tried).toBeGreaterThan(token.length * 2);
  });

  it('refuses a token signed with a key it does not know', () => {
    expect(verifyApprovalToken(createApprovalToken(claims, [OLD_KEY]), [KEY], NOW)).toEqual({
      ok: false,
      reason: 'badSignature',
    });
    expect(verifyApprovalToken(createApprovalToken(claims, [KEY]), [], NOW)).toEqual({
      ok: false,
      reason: 'badSignature',
    });
  });

  it('rotates: the first key signs, every listed key verifies', () => {
    const oldLink = createApprovalToken(claims, [OLD_KEY]);
    const newLink = createApprovalToken(claims, [KEY, OLD_KEY]);
    expect(verifyApprovalToken(oldLink, [KEY, OLD_KEY], NOW).ok).toBe(true);
    expect(verifyApprovalToken(newLink, [KEY], NOW).ok).toBe(true);
    expect(verifyApprovalToken(newLink, [OLD_KEY], NOW).ok).toBe(false);
  });

  it('expires at its expiry second, and says so only for genuine tokens', () => {
    const token = createApprovalToken(claims, [KEY]);
    expect(verifyApprovalToken(token, [KEY], new Date(IN_ONE_HOUR * 1000 - 1)).ok).toBe(true);
    expect(verifyApprovalToken(token, [KEY], new Date(IN_ONE_HOUR * 1000))).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(verifyApprovalToken(token, [OLD_KEY], new Date(IN_ONE_HOUR * 1000 + 1))).toEqual({
      ok: false,
      reason: 'badSignature',
    });
  });

  it('binds the link to one release and one environment', () => {
    const token = createApprovalToken(claims, [KEY]);
    const [payload = '', mac = ''] = token.split('.');
    const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    for (const change of [{ e: 'prod' }, { r: 'another-release' }, { x: IN_ONE_HOUR + 86_400 }]) {
      const moved = Buffer.from(JSON.stringify({ ...decoded, ...change })).toString('base64url');
      expect(verifyApprovalToken(`${moved}.${mac}`, [KEY], NOW)).toEqual({
        ok: false,
        reason: 'badSignature',
      });
    }
  });

  const valid = createApprovalToken(claims, [KEY]);
  const [validPayload = '', validMac = ''] = valid.split('.');
  it.each([
    ['empty', ''],
    ['only a dot', '.'],
    ['one part', validPayload],
    ['three parts', `${valid}.x`],
    ['empty payload', `.${validMac}`],
    ['padding', `${validPayload}=.${validMac}`],
    ['standard base64 characters', `${validPayload}+/.${validMac}`],
    ['a short MAC', `${validPayload}.${validMac.slice(0, 20)}`],
    ['a long MAC', `${validPayload}.${validMac}AAAA`],
    ['spaces', ` ${valid}`],
    ['percent-encoding', valid.replace('.', '%2E')],
    ['far too long', `${'A'.repeat(5000)}.${validMac}`],
    ['a signed payload that is not JSON', signedPayload('not json')],
    ['a signed JSON array', signedPayload('[1,2]')],
    ['a signed payload of another version', signedPayload('{"v":2,"r":"a","e":"qa","x":9999999999}')],
    ['a signed payload without a release', signedPayload('{"v":1,"e":"qa","x":9999999999}')],
    ['a signed payload with an empty environment', signedPayload('{"v":1,"r":"a","e":"","x":9999999999}')],
    ['a signed payload with a fractional expiry', signedPayload('{"v":1,"r":"a","e":"qa","x":99999.5}')],
    ['a signed payload with a string expiry', signedPayload('{"v":1,"r":"a","e":"qa","x":"9999999999"}')],
    ['a signed payload with a numeric nonce', signedPayload('{"v":1,"r":"a","e":"qa","x":9999999999,"n":7}')],
  ])('calls %s malformed, without throwing', (_name, token) => {
    expect(verifyApprovalToken(token, [KEY], NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses to sign without a key, saying how to configure one', () => {
    expect(() => createApprovalToken(claims, [])).toThrow(MissingSigningKeyError);
    expect(() => createApprovalToken(claims, [])).toThrow(/BRICKLANE_APPROVAL_SIGNING_KEYS/);
  });

  it('builds the link on the public URL', () => {
    expect(approvalUrl('https://bricklane.azurewebsites.net/', 'abc.def')).toBe(
      'https://bricklane.azurewebsites.net/api/approvals/abc.def',
    );
    expect(approvalUrl('http://localhost:7071', valid)).toBe(`http://localhost:7071/api/approvals/${valid}`);
  });
});

describe('decodeBase64Url', () => {
  it.each([
    ['', Buffer.alloc(0)],
    ['AQID', Buffer.from([1, 2, 3])],
    ['_-8', Buffer.from([0xff, 0xef])],
    ['AQ', Buffer.from([1])],
    ['AR', undefined], // same bytes as "AQ" with unused bits set: not the canonical spelling
    ['AQ==', undefined],
    ['A', undefined],
    ['A+Q', undefined],
    ['A Q', undefined],
  ])('%j -> %j', (text, bytes) => {
    expect(decodeBase64Url(text)).toEqual(bytes);
  });
});

describe('approvalWaitId', () => {
  it('is the expiry, and the nonce when the link has one', () => {
    expect(approvalWaitId(claims)).toBe(String(IN_ONE_HOUR));
    expect(approvalWaitId({ ...claims, nonce: 'n1' })).toBe(`${IN_ONE_HOUR}.n1`);
    expect(approvalWaitId({ ...claims, expiresAt: IN_ONE_HOUR + 1 })).not.toBe(approvalWaitId(claims));
  });
});

describe('describeTokenFailure', () => {
  it.each([
    ['malformed', 400, 'Invalid link', /incomplete or damaged/],
    ['badSignature', 403, 'Invalid link', /not issued by this bricklane app/],
    ['expired', 410, 'Link expired', /has expired/],
  ] as const)('%s -> %i %s', (reason, status, title, message) => {
    const answer = describeTokenFailure(reason);
    expect(answer).toMatchObject({ status, title });
    expect(answer.message).toMatch(message);
  });
});

describe('view tokens', () => {
  const view = { releaseId: 'release-3f2a9c1d0e-abc', expiresAt: IN_ONE_HOUR };

  it('round-trip one release and an expiry, and expire', () => {
    const token = createViewToken(view, [KEY]);
    expect(verifyViewToken(token, [KEY], NOW)).toEqual({ ok: true, claims: view });
    expect(verifyViewToken(token, [OLD_KEY, KEY], NOW)).toEqual({ ok: true, claims: view });
    expect(verifyViewToken(token, [OLD_KEY], NOW)).toEqual({ ok: false, reason: 'badSignature' });
    expect(verifyViewToken(token, [KEY], new Date(IN_ONE_HOUR * 1000))).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(viewUrl('https://app.example.net/', token)).toBe(`https://app.example.net/api/views/${token}`);
  });

  it('are never approval tokens, and approval tokens are never view tokens', () => {
    const approval = createApprovalToken(claims, [KEY]);
    expect(verifyViewToken(approval, [KEY], NOW)).toEqual({ ok: false, reason: 'badSignature' });
    expect(verifyApprovalToken(createViewToken(view, [KEY]), [KEY], NOW)).toEqual({
      ok: false,
      reason: 'badSignature',
    });
  });

  it.each([
    ['/', 'release/../x'],
    ['?', 'release?code=1'],
    ['#', 'release#x'],
    ['a control character', 'release\u0000'],
    ['a leading @', '@release'],
    ['an empty id', ''],
    ['an overlong id', 'r'.repeat(129)],
  ])('refuse a signed release id with %s, in view and approval links alike', (_name, releaseId) => {
    expect(verifyViewToken(createViewToken({ ...view, releaseId }, [KEY]), [KEY], NOW)).toEqual({
      ok: false,
      reason: 'malformed',
    });
    expect(verifyApprovalToken(createApprovalToken({ ...claims, releaseId }, [KEY]), [KEY], NOW)).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it('say which kind of link failed', () => {
    expect(describeTokenFailure('expired', 'view').message).toMatch(/status page link has expired/);
    expect(describeTokenFailure('malformed', 'view').message).toMatch(/status page link/);
  });
});

describe('list view tokens', () => {
  const list = { expiresAt: IN_ONE_HOUR };

  it('round-trip an expiry, rotate and expire', () => {
    const token = createListViewToken(list, [KEY]);
    expect(verifyListViewToken(token, [KEY], NOW)).toEqual({ ok: true, claims: list });
    expect(verifyListViewToken(token, [OLD_KEY, KEY], NOW)).toEqual({ ok: true, claims: list });
    expect(verifyListViewToken(token, [OLD_KEY], NOW)).toEqual({ ok: false, reason: 'badSignature' });
    expect(verifyListViewToken(token, [KEY], new Date(IN_ONE_HOUR * 1000))).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(verifyListViewToken('not-a-token', [KEY], NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('never open a release or an approval, and neither of those opens the list', () => {
    const listToken = createListViewToken(list, [KEY]);
    const refused = { ok: false, reason: 'badSignature' };
    expect(verifyViewToken(listToken, [KEY], NOW)).toEqual(refused);
    expect(verifyApprovalToken(listToken, [KEY], NOW)).toEqual(refused);
    expect(
      verifyListViewToken(createViewToken({ releaseId: 'r1', expiresAt: IN_ONE_HOUR }, [KEY]), [KEY], NOW),
    ).toEqual(refused);
    expect(verifyListViewToken(createApprovalToken(claims, [KEY]), [KEY], NOW)).toEqual(refused);
  });

  it('build the link on the public URL, with no release in it', () => {
    const token = createListViewToken(list, [KEY]);
    expect(viewUrl('https://app.example.net', token)).toBe(`https://app.example.net/api/views/${token}`);
    const [payload = ''] = token.split('.');
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))).toEqual({
      v: 1,
      l: 1,
      x: IN_ONE_HOUR,
    });
  });
});

describe('rollback tokens', () => {
  const rollback = {
    releaseId: 'release-3f2a9c1d0e-abc',
    environment: 'qa',
    knownGood: 'a'.repeat(64),
    expiresAt: IN_ONE_HOUR,
  };

  it('round-trip the failed release, the environment and the known good bundle, rotate and expire', () => {
    const token = createRollbackToken(rollback, [KEY]);
    expect(verifyRollbackToken(token, [KEY], NOW)).toEqual({ ok: true, claims: rollback });
    expect(verifyRollbackToken(token, [OLD_KEY, KEY], NOW)).toEqual({ ok: true, claims: rollback });
    expect(verifyRollbackToken(token, [OLD_KEY], NOW)).toEqual({ ok: false, reason: 'badSignature' });
    expect(verifyRollbackToken(token, [KEY], new Date(IN_ONE_HOUR * 1000))).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(rollbackUrl('https://app.example.net/', token)).toBe(
      `https://app.example.net/api/rollbacks/${token}`,
    );
    // Ids only: nothing else rides in the link.
    const [payload = ''] = token.split('.');
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))).toEqual({
      v: 1,
      r: rollback.releaseId,
      e: 'qa',
      k: rollback.knownGood,
      x: IN_ONE_HOUR,
    });
  });

  it('are never approval, view or list links, and none of those is a rollback link', () => {
    const token = createRollbackToken(rollback, [KEY]);
    const refused = { ok: false, reason: 'badSignature' };
    expect(verifyApprovalToken(token, [KEY], NOW)).toEqual(refused);
    expect(verifyViewToken(token, [KEY], NOW)).toEqual(refused);
    expect(verifyListViewToken(token, [KEY], NOW)).toEqual(refused);
    expect(verifyRollbackToken(createApprovalToken(claims, [KEY]), [KEY], NOW)).toEqual(refused);
    expect(verifyRollbackToken(createViewToken(rollback, [KEY]), [KEY], NOW)).toEqual(refused);
    expect(verifyRollbackToken(createListViewToken(rollback, [KEY]), [KEY], NOW)).toEqual(refused);
  });

  it.each([
    ['a release id with /', { releaseId: 'release/../x' }],
    ['an empty environment', { environment: '' }],
    ['a known good that is not a bundle id', { knownGood: 'abc"><script>' }],
    ['an empty known good', { knownGood: '' }],
  ])('refuse a signed payload with %s', (_name, change) => {
    const token = createRollbackToken({ ...rollback, ...change }, [KEY]);
    expect(verifyRollbackToken(token, [KEY], NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('say which kind of link failed', () => {
    expect(describeTokenFailure('expired', 'rollback').message).toMatch(/rollback link has expired/);
    expect(describeTokenFailure('badSignature', 'rollback').message).toMatch(
      /This rollback link was not issued/,
    );
  });
});
