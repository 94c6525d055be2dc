// Pure: the signed links. A token is base64url(payload) "." base64url(HMAC-SHA256). An approval token grants
// one decision on one environment of one release until it expires. The link points at our own approval
// page, never at Durable's sendEventPostUri, which carries the extension's system key and would decide on a
// single GET. A view token lets a browser read one release's status page until it expires, so that no page
// ever carries the function key in a link (it would land in browser history). A rollback token lets an
// environment's approvers put its last known good bundle back after a release failed there.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { instanceIdProblem } from '../config/instanceIdProblem';

export interface ApprovalClaims {
  releaseId: string;
  environment: string;
  /** Epoch seconds. Also identifies the wait: a re-run of the release waits again with a new expiry. */
  expiresAt: number;
  /**
   * Optional; distinguishes two links of one wait. Derive it in the orchestration with
   * `context.df.newGuid()` so that replays produce the same link.
   */
  nonce?: string;
}

export type ApprovalTokenVerification =
  { ok: true; claims: ApprovalClaims } | { ok: false; reason: 'malformed' | 'badSignature' | 'expired' };

/** Approval links cannot be signed because no signing key is configured; says how to set one. */
export class MissingSigningKeyError extends Error {
  readonly code = 'MissingSigningKey';
  constructor() {
    super(
      'approvals: BRICKLANE_APPROVAL_SIGNING_KEYS is empty, so approval links cannot be signed. Set it to a ' +
        'random key of at least 32 characters (e.g. openssl rand -base64 48); to rotate, put the new key first ' +
        'and keep the old one after it until its links have expired',
    );
    this.name = 'MissingSigningKeyError';
  }
}

/**
 * Signs the claims. The payload is compact JSON ({ v, r, e, x, n }) so that the link stays short enough
 * for mail clients and chat apps, which wrap or cut long URLs. The first key signs; the others only verify
 * (see verifyApprovalToken), which is how keys rotate.
 */
export function createApprovalToken(claims: ApprovalClaims, signingKeys: readonly string[]): string {
  return signToken(
    {
      v: 1,
      r: claims.releaseId,
      e: claims.environment,
      x: Math.floor(claims.expiresAt),
      ...(claims.nonce === undefined ? {} : { n: claims.nonce }),
    },
    signingKeys,
    APPROVAL_CONTEXT,
  );
}

function signToken(payload: object, signingKeys: readonly string[], context: string): string {
  const key = signingKeys[0];
  if (!key) throw new MissingSigningKeyError();
  const payloadPart = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  return `${payloadPart}.${tokenMac(payloadPart, key, context).toString('base64url')}`;
}

// Our tokens are about 200 characters; a cap keeps hostile input from costing HMAC time per key.
const MAX_TOKEN_LENGTH = 2048;
const MAC_BYTES = 32;

/**
 * Checks a token from a URL. Anyone can put anything in a URL, so every input gives a result and nothing
 * throws; the caller maps the reason to a status (describeTokenFailure).
 * Tries every key (rotation: links signed with the previous key stay valid while it is listed).
 * The signature is checked before the payload is parsed, and expiry last, so that "expired" is only
 * ever said about a link we really issued.
 */
export function verifyApprovalToken(
  token: string,
  signingKeys: readonly string[],
  now: Date,
): ApprovalTokenVerification {
  return verifyToken(token, signingKeys, now, APPROVAL_CONTEXT, parseClaims);
}

function verifyToken<C extends { expiresAt: number }>(
  token: string,
  signingKeys: readonly string[],
  now: Date,
  context: string,
  parse: (bytes: Buffer) => C | undefined,
): { ok: true; claims: C } | { ok: false; reason: TokenFailure } {
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 2) return { ok: false, reason: 'malformed' };
  const [payloadPart = '', macPart = ''] = parts;
  const payloadBytes = decodeBase64Url(payloadPart);
  const mac = decodeBase64Url(macPart);
  if (!payloadBytes || payloadBytes.length === 0 || !mac || mac.length !== MAC_BYTES) {
    return { ok: false, reason: 'malformed' };
  }
  let valid = false;
  // No early exit: the time taken does not depend on which key (if any) matched.
  for (const key of signingKeys) {
    if (timingSafeEqual(tokenMac(payloadPart, key, context), mac)) valid = true;
  }
  if (!valid) return { ok: false, reason: 'badSignature' };
  const claims = parse(payloadBytes);
  if (!claims) return { ok: false, reason: 'malformed' };
  if (now.getTime() >= claims.expiresAt * 1000) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}

type TokenFailure = 'malformed' | 'badSignature' | 'expired';

function parseJsonObject(bytes: Buffer): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

/** A release id as the Durable extension accepts it (a link's id is used as an instance id). */
function isReleaseId(r: unknown): r is string {
  return typeof r === 'string' && releaseIdProblem(r) === undefined;
}

/** What is wrong with a release id from a request (a link, a route), or undefined. */
export function releaseIdProblem(id: string): string | undefined {
  if (id.length > MAX_RELEASE_ID_LENGTH)
    return `a release id has at most ${MAX_RELEASE_ID_LENGTH} characters`;
  return instanceIdProblem(id);
}

/** The rule releaseIdProblem checks, for 400 answers. */
export const RELEASE_ID_RULE = `1 to 128 characters, none of / \\ # ? or control characters, not starting with @`;

function isExpiry(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x > 0;
}

// Our release ids are under 60 characters (releaseInputFor); a cap keeps a signed id from growing pages.
const MAX_RELEASE_ID_LENGTH = 128;

function parseClaims(bytes: Buffer): ApprovalClaims | undefined {
  const value = parseJsonObject(bytes);
  if (!value) return undefined;
  const { v, r, e, x, n } = value;
  if (v !== 1 || !isReleaseId(r) || typeof e !== 'string' || e === '') return undefined;
  if (!isExpiry(x)) return undefined;
  if (n !== undefined && typeof n !== 'string') return undefined;
  return { releaseId: r, environment: e, expiresAt: x, ...(n === undefined ? {} : { nonce: n }) };
}

/** What a view link grants: reading one release's status page until it expires. */
export interface ViewClaims {
  releaseId: string;
  /** Epoch seconds. */
  expiresAt: number;
}

export type ViewTokenVerification = { ok: true; claims: ViewClaims } | { ok: false; reason: TokenFailure };

/** How long a view link handed out on a status or list page lasts (an approval page's lasts as long as its own link). */
export const VIEW_LINK_TTL_IN_SECONDS = 24 * 3600;

/** Signs a view link's claims (payload { v, r, x }), under its own MAC context: never an approval. */
export function createViewToken(claims: ViewClaims, signingKeys: readonly string[]): string {
  return signToken({ v: 1, r: claims.releaseId, x: Math.floor(claims.expiresAt) }, signingKeys, VIEW_CONTEXT);
}

/** Checks a view token like an approval token (same rules, same failure reasons). */
export function verifyViewToken(
  token: string,
  signingKeys: readonly string[],
  now: Date,
): ViewTokenVerification {
  return verifyToken(token, signingKeys, now, VIEW_CONTEXT, (bytes) => {
    const value = parseJsonObject(bytes);
    if (!value) return undefined;
    const { v, r, x, e, l } = value;
    // `e` would make it an approval payload, `l` a list one: refused even though the MAC context already
    // tells them apart.
    if (v !== 1 || !isReleaseId(r) || !isExpiry(x) || e !== undefined || l !== undefined) return undefined;
    return { releaseId: r, expiresAt: x };
  });
}

/** What a list view link grants: reading the release list until it expires (no release named). */
export interface ListViewClaims {
  /** Epoch seconds. */
  expiresAt: number;
}

export type ListViewTokenVerification =
  { ok: true; claims: ListViewClaims } | { ok: false; reason: TokenFailure };

/**
 * Signs a list view link (payload { v, l: 1, x }) under its own MAC context, so that a list link never
 * opens a release page or an approval, and neither of those opens the list.
 */
export function createListViewToken(claims: ListViewClaims, signingKeys: readonly string[]): string {
  return signToken({ v: 1, l: 1, x: Math.floor(claims.expiresAt) }, signingKeys, LIST_VIEW_CONTEXT);
}

/** Checks a list view token like a view token (same rules, same failure reasons). */
export function verifyListViewToken(
  token: string,
  signingKeys: readonly string[],
  now: Date,
): ListViewTokenVerification {
  return verifyToken(token, signingKeys, now, LIST_VIEW_CONTEXT, (bytes) => {
    const value = parseJsonObject(bytes);
    if (!value) return undefined;
    const { v, l, x, r, e } = value;
    // A release or environment would make it another kind of payload: refused, as in verifyViewToken.
    if (v !== 1 || l !== 1 || !isExpiry(x) || r !== undefined || e !== undefined) return undefined;
    return { expiresAt: x };
  });
}

/**
 * What a rollback link grants: putting `knownGood` back in one environment after release `releaseId` failed
 * there (functions/rollbackLink.ts). It names no secret: ids only.
 */
export interface RollbackClaims {
  /** The release that failed. */
  releaseId: string;
  environment: string;
  /** The bundle the rollback redeploys: the environment's last known good when the link was made. */
  knownGood: string;
  /** Epoch seconds. */
  expiresAt: number;
}

export type RollbackTokenVerification =
  { ok: true; claims: RollbackClaims } | { ok: false; reason: TokenFailure };

/** How long a rollback link offered on a status page lasts: the page makes a new one each time it is opened. */
export const ROLLBACK_LINK_TTL_IN_SECONDS = 3600;

/** Signs a rollback link's claims (payload { v, r, e, k, x }) under its own MAC context: never an approval. */
export function createRollbackToken(claims: RollbackClaims, signingKeys: readonly string[]): string {
  return signToken(
    {
      v: 1,
      r: claims.releaseId,
      e: claims.environment,
      k: claims.knownGood,
      x: Math.floor(claims.expiresAt),
    },
    signingKeys,
    ROLLBACK_CONTEXT,
  );
}

/** Checks a rollback token like an approval token (same rules, same failure reasons). */
export function verifyRollbackToken(
  token: string,
  signingKeys: readonly string[],
  now: Date,
): RollbackTokenVerification {
  return verifyToken(token, signingKeys, now, ROLLBACK_CONTEXT, (bytes) => {
    const value = parseJsonObject(bytes);
    if (!value) return undefined;
    const { v, r, e, k, x, l } = value;
    if (v !== 1 || !isReleaseId(r) || typeof e !== 'string' || e === '' || l !== undefined) return undefined;
    if (typeof k !== 'string' || !/^[0-9a-f]{1,128}$/.test(k) || !isExpiry(x)) return undefined;
    return { releaseId: r, environment: e, knownGood: k, expiresAt: x };
  });
}

/** The rollback confirmation page: `${publicUrl}/api/rollbacks/${token}` (GET shows, POST starts). */
export function rollbackUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/api/rollbacks/${token}`;
}

/** The status page of one release for a browser: `${publicUrl}/api/views/${token}`. */
export function viewUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/api/views/${token}`;
}

// Domain separation: a MAC made for one kind of link can never be replayed as another.
const APPROVAL_CONTEXT = 'bricklane/approval/v1.';
const VIEW_CONTEXT = 'bricklane/view/v1.';
const LIST_VIEW_CONTEXT = 'bricklane/list-view/v1.';
const ROLLBACK_CONTEXT = 'bricklane/rollback/v1.';

/** The MAC of a token's payload part (exported so that tests can sign payloads the claim checks refuse). */
export function approvalTokenMac(payloadPart: string, key: string): Buffer {
  return tokenMac(payloadPart, key, APPROVAL_CONTEXT);
}

function tokenMac(payloadPart: string, key: string, context: string): Buffer {
  return createHmac('sha256', key).update(context).update(payloadPart).digest();
}

// Buffer.from(s, 'base64url') skips characters outside the alphabet and ignores the unused low bits of
// the last character, so several strings decode to the same bytes. A token must have exactly one
// spelling, otherwise editing its last character would still verify.
const BASE64URL_ALPHABET = /^[A-Za-z0-9_-]*$/;

/** The bytes, or undefined when `text` is not the canonical unpadded base64url spelling of any bytes. */
export function decodeBase64Url(text: string): Buffer | undefined {
  if (!BASE64URL_ALPHABET.test(text) || text.length % 4 === 1) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

/**
 * What to answer for a link that did not verify. The status tells scripts what happened; the page tells
 * people what to do. Nothing about the token itself is echoed back.
 */
export function describeTokenFailure(
  reason: TokenFailure,
  kind: 'approval' | 'view' | 'rollback' = 'approval',
): {
  status: 400 | 403 | 410;
  title: string;
  message: string;
} {
  const link =
    kind === 'approval' ? 'approval link' : kind === 'rollback' ? 'rollback link' : 'status page link';
  switch (reason) {
    case 'malformed':
      return {
        status: 400,
        title: 'Invalid link',
        message: `This ${link} is incomplete or damaged. Copy the whole link from the message you received.`,
      };
    case 'badSignature':
      return {
        status: 403,
        title: 'Invalid link',
        message:
          `This ${link} was not issued by this bricklane app, or its signing key has been retired. ` +
          'Ask for a new link.',
      };
    case 'expired':
      return {
        status: 410,
        title: 'Link expired',
        message:
          kind === 'approval'
            ? 'This approval link has expired. The release stops waiting when its approval time runs out.'
            : kind === 'rollback'
              ? 'This rollback link has expired. Open the release status page again for a new one.'
              : 'This status page link has expired. Open the release again from the page that linked to it.',
      };
  }
}

/**
 * The link sent to approvers: `${publicUrl}/api/approvals/${token}`. Tokens are base64url and '.', so they
 * need no escaping.
 */
export function approvalUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/api/approvals/${token}`;
}

/**
 * Names one approval wait. Every link of a wait carries the same expiry (and nonce, when the orchestration
 * sets one); a later wait of the same release and environment has a later expiry.
 */
export function approvalWaitId(claims: ApprovalClaims): string {
  return claims.nonce === undefined ? String(claims.expiresAt) : `${claims.expiresAt}.${claims.nonce}`;
}
