// Pure: who is deciding, from App Service Authentication (Easy Auth) headers, and whether the
// environment's allow-list lets them. Returns data; the caller answers 403 when `ok` is false.
//
// The headers are trusted only when Easy Auth is enabled on the app: the platform then sets them on every
// request and strips any the client sent. Without Easy Auth anyone can send `x-ms-client-principal-name:
// alice`, so the headers are ignored and an allow-list cannot be enforced (we refuse instead of guessing).
// https://learn.microsoft.com/azure/app-service/configure-authentication-user-identities
//
// What is matched against the allow-list, and only for users Microsoft Entra ID signed in
// (`X-MS-CLIENT-PRINCIPAL-IDP: aad`; other providers choose their own ids and names):
// - the object id: `X-MS-CLIENT-PRINCIPAL-ID`, or the `oid` claim, which Easy Auth's claim mapping
//   names `http://schemas.microsoft.com/identity/claims/objectidentifier`. Entra documents it as "the
//   immutable identifier ... can't be reused" (ID token claims reference, "oid");
// - the user principal name: the `upn` claim (mapped to
//   `http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn`). v1.0 tokens carry it; v2.0 tokens carry
//   it once the app registration adds the `upn` optional claim (Optional claims reference). UPNs live in the
//   tenant's verified domains, so an operator may list them, though the object id is the durable choice.
// Never matched: `email`/`emails`/`emailaddress` ("isn't guaranteed to be correct ... never use it for
// authorization"), `preferred_username` ("could be an email address, phone number ... can't be used to make
// authorization decisions"), the display name (`name`, "should be used only for display purposes"),
// `X-MS-CLIENT-PRINCIPAL-NAME` and the principal's `name_typ` claim: each may hold an e-mail address.
// https://learn.microsoft.com/entra/identity-platform/id-token-claims-reference
// https://learn.microsoft.com/entra/identity-platform/optional-claims-reference
//
// Approver groups (BRICKLANE_<ENV>_APPROVER_GROUPS): a member of a listed group may decide too. Membership is
// read from the principal's `groups` claims (Easy Auth's claim mapping may name them
// `http://schemas.microsoft.com/ws/2008/06/identity/claims/groups`): one claim per group object id, present
// once the app registration emits group claims (groupMembershipClaims, "Configure group claims for
// applications"). A user in more groups than fit a token (200 in a JWT) gets no `groups` claim but an overage
// indication instead (`_claim_names`/`_claim_sources` naming "groups", or `hasgroups`): then membership is
// unknown here, and the page says to list the user by object id, or to emit only the groups assigned to the
// app. https://learn.microsoft.com/entra/identity-platform/id-token-claims-reference ("groups", "hasgroups")
// https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-fed-group-claims
//
// Policy when the environment has no allow-list: anyone holding the link may decide, which is the
// behaviour of the seed's e-mailed approval. A signed-in user is recorded by UPN or display name (and
// object id); anyone else as ANONYMOUS_APPROVER, so the audit trail says plainly that the link alone was
// the credential.

export interface HeaderReader {
  get(name: string): string | null;
}

export interface ApproverPolicy {
  environment: string;
  /** Allowed approvers: Entra object ids (GUIDs) or user principal names, case-insensitive; empty = anyone who holds the link. */
  approvers: readonly string[];
  /** App Service Authentication is on (WEBSITE_AUTH_ENABLED): the identity headers come from the platform. */
  easyAuthEnabled: boolean;
  /** Entra group object ids whose members may decide too (lower-case). */
  groups?: readonly string[];
}

export type ApproverResolution =
  | {
      ok: true;
      /** How the decision names the approver: the UPN, else the display name (with the provider when not Entra ID). */
      approver: string;
      authenticated: boolean;
      /** The Entra object id, for the decision record. */
      objectId?: string;
      /** The display name, for the decision record (never matched). */
      displayName?: string;
      /** The user principal name, when Entra ID gave one (self-approval compares it). */
      upn?: string;
      /** Why they may decide: nobody is named (`anyone`), the allow-list, or a listed group (`group:<id>`). */
      via?: string;
    }
  | {
      ok: false;
      /** `selfApproval` comes from resolveDecider (the environment's approval policy). */
      reason: 'authNotEnabled' | 'signInRequired' | 'notAllowed' | 'selfApproval';
      /** Secret-free, for the 403 page. */
      message: string;
      /** Who was signed in, when someone was. */
      approver?: string;
    };

export const ANONYMOUS_APPROVER = 'anonymous (link holder)';

/** Easy Auth's name of the Microsoft Entra ID provider (X-MS-CLIENT-PRINCIPAL-IDP, the principal's auth_typ). */
const ENTRA_PROVIDER = 'aad';
const OBJECT_ID_CLAIMS = ['http://schemas.microsoft.com/identity/claims/objectidentifier', 'oid'];
const UPN_CLAIMS = ['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn', 'upn'];
const DISPLAY_NAME_CLAIMS = ['name', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name'];
const GROUP_CLAIMS = ['groups', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups'];
const MAX_PRINCIPAL_HEADER = 16 * 1024;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function resolveApprover(headers: HeaderReader, policy: ApproverPolicy): ApproverResolution {
  const allowList = policy.approvers.map((a) => a.trim().toLowerCase()).filter(Boolean);
  const groups = (policy.groups ?? []).map((g) => g.trim().toLowerCase()).filter(Boolean);
  const anyone = allowList.length === 0 && groups.length === 0;
  if (!policy.easyAuthEnabled) {
    if (anyone) return { ok: true, approver: ANONYMOUS_APPROVER, authenticated: false, via: 'anyone' };
    return {
      ok: false,
      reason: 'authNotEnabled',
      message:
        `Approvers are configured for ${policy.environment}, but App Service Authentication is not enabled ` +
        'on this app, so the signed-in user cannot be verified. Enable it, or clear the allow-list.',
    };
  }
  const who = signedInIdentity(headers);
  if (anyone) {
    return who === undefined
      ? { ok: true, approver: ANONYMOUS_APPROVER, authenticated: false, via: 'anyone' }
      : { ok: true, authenticated: true, ...recorded(who), via: 'anyone' };
  }
  if (who === undefined) {
    return {
      ok: false,
      reason: 'signInRequired',
      message: `Only named approvers may decide for ${policy.environment}. Sign in, then open the link again.`,
    };
  }
  const matches =
    (who.objectId !== undefined && allowList.includes(who.objectId.toLowerCase())) ||
    (who.upn !== undefined && allowList.includes(who.upn.toLowerCase()));
  if (matches) return { ok: true, authenticated: true, ...recorded(who), via: 'allowList' };
  // Group claims count only from Entra ID (objectId is set only then).
  const group = who.objectId === undefined ? undefined : groups.find((g) => who.groups.includes(g));
  if (group !== undefined) return { ok: true, authenticated: true, ...recorded(who), via: `group:${group}` };
  const label = labelOf(who);
  const hint =
    who.objectId === undefined
      ? ' Approvers sign in with Microsoft Entra ID.'
      : groups.length > 0 && who.groupsOverage
        ? ' Their sign-in carries no group list (they belong to more groups than a token holds): list their ' +
          `object id ${who.objectId}, or have the app registration emit only the groups assigned to the app.`
        : ` To allow them, list their object id ${who.objectId}.`;
  return {
    ok: false,
    reason: 'notAllowed',
    message: `${label} is not an approver for ${policy.environment}.${hint}`,
    approver: label,
  };
}

/** Who the request is from, as a name for records (the requester of a manual release), or undefined. */
export function signedInName(headers: HeaderReader, easyAuthEnabled: boolean): string | undefined {
  if (!easyAuthEnabled) return undefined;
  const who = signedInIdentity(headers);
  return who === undefined ? undefined : labelOf(who);
}

/** A signed-in user as App Service Authentication describes them; ids only from Microsoft Entra ID. */
interface SignedInIdentity {
  provider: string;
  objectId?: string;
  upn?: string;
  displayName?: string;
  /** X-MS-CLIENT-PRINCIPAL-NAME: shown for other providers, never matched. */
  name?: string;
  /** Group object ids from the `groups` claims (lower-case; Entra ID only). */
  groups: string[];
  /** The token said the user has groups but carried none (group overage). */
  groupsOverage: boolean;
}

function signedInIdentity(headers: HeaderReader): SignedInIdentity | undefined {
  const principal = parsePrincipal(headers.get('x-ms-client-principal'));
  const provider = (headers.get('x-ms-client-principal-idp') ?? principal.authType ?? '')
    .trim()
    .toLowerCase();
  const name = headers.get('x-ms-client-principal-name')?.trim() || undefined;
  const displayName = first(principal, DISPLAY_NAME_CLAIMS);
  const headerId = headers.get('x-ms-client-principal-id')?.trim() || undefined;
  if (!provider && !name && !displayName && !headerId && principal.claims.size === 0) return undefined;
  // The principal's own provider must agree with the header's; a mismatch trusts neither for ids.
  const entra =
    provider === ENTRA_PROVIDER &&
    (principal.authType === undefined || principal.authType === ENTRA_PROVIDER);
  if (!entra) {
    return {
      provider: provider || 'unknown provider',
      ...opt('displayName', displayName),
      ...opt('name', name),
      groups: [],
      groupsOverage: false,
    };
  }
  const claimId = first(principal, OBJECT_ID_CLAIMS);
  // Both come from the platform; if they ever disagree, match neither.
  const objectId =
    headerId && claimId && headerId.toLowerCase() !== claimId.toLowerCase()
      ? undefined
      : (headerId ?? claimId);
  return {
    provider,
    ...opt('objectId', objectId !== undefined && GUID.test(objectId) ? objectId.toLowerCase() : undefined),
    ...opt('upn', first(principal, UPN_CLAIMS)),
    ...opt('displayName', displayName),
    ...opt('name', name),
    groups: GROUP_CLAIMS.flatMap((t) => principal.all.get(t) ?? []).map((g) => g.trim().toLowerCase()),
    groupsOverage:
      principal.claims.get('hasgroups') === 'true' ||
      /"groups"/.test(principal.claims.get('_claim_names') ?? '') ||
      principal.claims.has('groups:src1'),
  };
}

function recorded(who: SignedInIdentity): {
  approver: string;
  objectId?: string;
  displayName?: string;
  upn?: string;
} {
  return {
    approver: labelOf(who),
    ...opt('objectId', who.objectId),
    ...opt('displayName', who.displayName),
    ...opt('upn', who.upn),
  };
}

/** The UPN, else the display name or login; names from other providers say which provider vouched for them. */
function labelOf(who: SignedInIdentity): string {
  if (who.provider === ENTRA_PROVIDER) {
    return who.upn ?? who.displayName ?? who.objectId ?? who.name ?? 'unnamed Entra ID user';
  }
  return `${who.displayName ?? who.name ?? 'unnamed user'} (${who.provider})`;
}

function opt<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

function first(principal: Principal, types: readonly string[]): string | undefined {
  return types.map((t) => principal.claims.get(t)?.trim()).find(Boolean);
}

interface Principal {
  /** First value per claim type (lower-cased type). */
  claims: Map<string, string>;
  /** Every value per claim type (lower-cased type): `groups` comes as one claim per group. */
  all: Map<string, string[]>;
  /** `auth_typ`: the provider that signed the user in (lower-cased). */
  authType: string | undefined;
}

function parsePrincipal(header: string | null): Principal {
  const empty: Principal = { claims: new Map(), all: new Map(), authType: undefined };
  if (!header || header.length > MAX_PRINCIPAL_HEADER) return empty;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(header, 'base64').toString('utf8'));
  } catch {
    return empty;
  }
  if (typeof value !== 'object' || value === null) return empty;
  const { claims, auth_typ: authType } = value as Record<string, unknown>;
  const map = new Map<string, string>();
  const all = new Map<string, string[]>();
  if (Array.isArray(claims)) {
    for (const claim of claims as unknown[]) {
      if (typeof claim !== 'object' || claim === null) continue;
      const { typ, val } = claim as Record<string, unknown>;
      if (typeof typ !== 'string' || typeof val !== 'string') continue;
      const type = typ.toLowerCase();
      if (!map.has(type)) map.set(type, val);
      all.set(type, [...(all.get(type) ?? []), val]);
    }
  }
  return {
    claims: map,
    all,
    authType: typeof authType === 'string' ? authType.toLowerCase() : undefined,
  };
}
