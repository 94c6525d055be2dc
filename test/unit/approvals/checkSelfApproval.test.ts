import { describe, expect, it } from 'vitest';
import { checkSelfApproval, requesterIdentities } from '../../../src/approvals/checkSelfApproval';
import type { ReleaseSource } from '../../../src/release/ReleaseInput';

const MONA_ID = '6f1d2c3b-0a9e-4c8d-9b7a-1e2f3a4b5c6d';
const mona = { authenticated: true, objectId: MONA_ID, upn: 'Mona@Contoso.com' };
const bob = { authenticated: true, objectId: '2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d', upn: 'bob@contoso.com' };
const anonymous = { authenticated: false };
const github: ReleaseSource = { kind: 'github', commit: 'abc', requestedBy: 'monalisa' };
const MAP = { 'github:monalisa': 'mona@contoso.com' };

describe('checkSelfApproval', () => {
  it.each([
    // [case, source, decider, identity map, refused with]
    [
      'the GitHub pusher, mapped to her UPN',
      github,
      mona,
      MAP,
      'you pushed this commit; someone else must approve',
    ],
    [
      'the GitHub pusher, mapped to her object id',
      github,
      mona,
      { 'github:monalisa': MONA_ID },
      'you pushed this commit',
    ],
    [
      'the GitHub pusher, logins compared case-insensitively',
      { ...github, requestedBy: 'MonaLisa' },
      mona,
      MAP,
      'you pushed this commit',
    ],
    [
      'the Azure Repos pusher by uniqueName (UPN)',
      { kind: 'azureRepos', requestedBy: 'mona@contoso.com' },
      mona,
      {},
      'you pushed this commit',
    ],
    [
      'the Azure Repos pusher behind an account-type prefix',
      { kind: 'azureRepos', requestedBy: 'Windows Live ID\\mona@contoso.com' },
      mona,
      {},
      'you pushed this commit',
    ],
    [
      'the caller of a manual release (UPN)',
      { kind: 'manual', requestedBy: 'mona@contoso.com' },
      mona,
      {},
      'you requested this release; someone else must approve',
    ],
    [
      'the caller of a manual release (object id)',
      { kind: 'manual', requestedBy: MONA_ID },
      mona,
      {},
      'you requested this release',
    ],
    [
      'the uploader named in the blob metadata',
      { kind: 'upload', requestedBy: 'MONA@contoso.com' },
      mona,
      {},
      'you uploaded this bundle; someone else must approve',
    ],
  ] as Array<[string, ReleaseSource, typeof mona, Record<string, string>, string]>)(
    'refuses %s',
    (_name, source, decider, map, reason) => {
      expect(checkSelfApproval(source, decider, map, false)).toEqual({
        ok: false,
        reason: expect.stringContaining(reason),
      });
    },
  );

  it.each([
    ['someone else', github, bob, MAP],
    ['a GitHub login with no mapping (a login is not an Entra name)', github, mona, {}],
    [
      'a GitHub login equal to the UPN text is still no proof without a mapping',
      { ...github, requestedBy: 'mona@contoso.com' },
      mona,
      {},
    ],
    [
      'a manual release by a function-key holder (nobody in particular)',
      { kind: 'manual', requestedBy: 'function key holder' },
      mona,
      {},
    ],
    [
      'a requester known by display name only',
      { kind: 'manual', requestedBy: 'Mona Lisa' },
      { ...mona, upn: undefined },
      {},
    ],
    ['an upload without requestedby metadata', { kind: 'upload' }, mona, {}],
    ['an anonymous link holder when the default applies', github, anonymous, MAP],
  ] as Array<[string, ReleaseSource, typeof mona, Record<string, string>]>)(
    'lets %s approve',
    (_n, source, decider, map) => {
      expect(checkSelfApproval(source, decider, map, false)).toEqual({ ok: true });
    },
  );

  it('refuses an anonymous link holder when the operator turned self-approval off explicitly', () => {
    expect(checkSelfApproval(github, anonymous, MAP, true)).toEqual({
      ok: false,
      reason: expect.stringContaining('sign in with Microsoft Entra ID'),
    });
    // A signed-in someone else is fine either way.
    expect(checkSelfApproval(github, bob, MAP, true)).toEqual({ ok: true });
  });
});

describe('requesterIdentities', () => {
  it('names the requester by source, with a UPN or object id where the value is one', () => {
    expect(requesterIdentities(github)).toEqual(['github:monalisa']);
    expect(
      requesterIdentities({ kind: 'azureRepos', requestedBy: 'Windows Live ID\\Mona@contoso.com' }),
    ).toEqual(['azurerepos:windows live id\\mona@contoso.com', 'upn:mona@contoso.com']);
    expect(requesterIdentities({ kind: 'manual', requestedBy: MONA_ID.toUpperCase() })).toEqual([
      `manual:${MONA_ID}`,
      `oid:${MONA_ID}`,
    ]);
    expect(requesterIdentities({ kind: 'github', requestedBy: 'unknown pusher' })).toEqual([]);
  });
});
