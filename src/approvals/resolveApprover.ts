// Pure: who is deciding, from App Service Authentication (Easy Auth) headers, and whether the
// environment's allow-list lets them. Returns data; the caller answers 403 when `ok` is false.
//
// The headers are trusted only when Easy Auth is enabled on the app: the platform then sets them on every
// request and strips any the client sent. Without Easy Auth anyone can send `x-ms-client-principal-name:
// alice`, so the headers are ignored and an allow-list cannot be enforced (we refuse instead of guessing).
// https://learn.microsoft.com/azure/app-service/configure-authentication-user-identities
//
// Policy when the environment has no allow-list: anyone holding the link may decide, which is the
// behaviour of the seed's e-mailed approval. A signed-in user is recorded by name; anyone else as
// ANONYMOUS_APPROVER, so the audit trail says plainly that the link alone was the credential.

export interface HeaderReader {
  get(name: string): string | null;
}

export interface ApproverPolicy {
  environment: string;
  /** Allowed principal names (case-insensitive); empty = anyone who holds the link. */
  approvers: readonly string[];
  /** App Service Authentication is on (WEBSITE_AUTH_ENABLED): the identity headers come from the platform. */
  easyAuthEnabled: boolean;
}

export type ApproverResolution =
  | { ok: true; approver: string; authenticated: boolean }
  | {
      ok: false;
      reason: 'authNotEnabled' | 'signInRequired' | 'notAllowed';
      /** Secret-free, for the 403 page. */
      message: string;
      /** Who was signed in, when someone was. */
      approver?: string;
    };

export const ANONYMOUS_APPROVER = 'anonymous (link holder)';

// Login names, in the order we prefer to record them. The display name (`name`) is deliberately not
// matched against the allow-list: with some identity providers users choose it themselves.
const LOGIN_CLAIMS = [
  'preferred_username',
  'upn',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn',
  'email',
  'emails',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
];
const DISPLAY_NAME_CLAIMS = ['name', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name'];
const MAX_PRINCIPAL_HEADER = 16 * 1024;

export function resolveApprover(headers: HeaderReader, policy: ApproverPolicy): ApproverResolution {
  const allowList = policy.approvers.map((a) => a.trim().toLowerCase()).filter(Boolean);
  if (!policy.easyAuthEnabled) {
    if (allowList.length === 0) return { ok: true, approver: ANONYMOUS_APPROVER, authenticated: false };
    return {
      ok: false,
      reason: 'authNotEnabled',
      message:
        `Approvers are configured for ${policy.environment}, but App Service Authentication is not enabled ` +
        'on this app, so the signed-in user cannot be verified. Enable it, or clear the allow-list.',
    };
  }
  const { logins, displayName } = identityOf(headers);
  const who = logins[0] ?? displayName;
  if (allowList.length === 0) {
    return who === undefined
      ? { ok: true, approver: ANONYMOUS_APPROVER, authenticated: false }
      : { ok: true, approver: who, authenticated: true };
  }
  if (who === undefined) {
    return {
      ok: false,
      reason: 'signInRequired',
      message: `Only named approvers may decide for ${policy.environment}. Sign in, then open the link again.`,
    };
  }
  const match = logins.find((login) => allowList.includes(login.toLowerCase()));
  if (match !== undefined) return { ok: true, approver: match, authenticated: true };
  return {
    ok: false,
    reason: 'notAllowed',
    message: `${who} is not an approver for ${policy.environment}.`,
    approver: who,
  };
}

interface Identity {
  /** Distinct login names, preferred first. */
  logins: string[];
  displayName: string | undefined;
}

function identityOf(headers: HeaderReader): Identity {
  const logins: string[] = [];
  const add = (value: string | undefined): void => {
    const v = value?.trim();
    if (v && !logins.some((l) => l.toLowerCase() === v.toLowerCase())) logins.push(v);
  };
  // Easy Auth's own choice of name: the UPN or e-mail for Entra ID, the user name for other providers.
  add(headers.get('x-ms-client-principal-name') ?? undefined);
  const principal = parsePrincipal(headers.get('x-ms-client-principal'));
  for (const type of LOGIN_CLAIMS) add(principal.claims.get(type));
  if (principal.nameType && !DISPLAY_NAME_CLAIMS.includes(principal.nameType)) {
    add(principal.claims.get(principal.nameType));
  }
  add(principal.userDetails);
  const displayName = DISPLAY_NAME_CLAIMS.map((t) => principal.claims.get(t)?.trim()).find(Boolean);
  return { logins, displayName };
}

interface Principal {
  /** First value per claim type (lower-cased type). */
  claims: Map<string, string>;
  nameType: string | undefined;
  /** Static Web Apps' shape carries the login in `userDetails`. */
  userDetails: string | undefined;
}

function parsePrincipal(header: string | null): Principal {
  const empty: Principal = { claims: new Map(), nameType: undefined, userDetails: undefined };
  if (!header || header.length > MAX_PRINCIPAL_HEADER) return empty;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(header, 'base64').toString('utf8'));
  } catch {
    return empty;
  }
  if (typeof value !== 'object' || value === null) return empty;
  const { claims, name_typ: nameType, userDetails } = value as Record<string, unknown>;
  const map = new Map<string, string>();
  if (Array.isArray(claims)) {
    for (const claim of claims as unknown[]) {
      if (typeof claim !== 'object' || claim === null) continue;
      const { typ, val } = claim as Record<string, unknown>;
      if (typeof typ === 'string' && typeof val === 'string' && !map.has(typ.toLowerCase())) {
        map.set(typ.toLowerCase(), val);
      }
    }
  }
  return {
    claims: map,
    nameType: typeof nameType === 'string' ? nameType.toLowerCase() : undefined,
    userDetails: typeof userDetails === 'string' ? userDetails : undefined,
  };
}
