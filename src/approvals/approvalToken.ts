// Pure: the signed approval link. A token is base64url(payload) "." base64url(HMAC-SHA256) and grants one
// decision on one environment of one release until it expires. The link points at our own approval page,
// never at Durable's sendEventPostUri, which carries the extension's system key and would decide on a
// single GET.
import { createHmac, timingSafeEqual } from 'node:crypto';

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
  const key = signingKeys[0];
  if (!key) throw new MissingSigningKeyError();
  const payload = {
    v: 1,
    r: claims.releaseId,
    e: claims.environment,
    x: Math.floor(claims.expiresAt),
    ...(claims.nonce === undefined ? {} : { n: claims.nonce }),
  };
  const payloadPart = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  return `${payloadPart}.${approvalTokenMac(payloadPart, key).toString('base64url')}`;
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
    if (timingSafeEqual(approvalTokenMac(payloadPart, key), mac)) valid = true;
  }
  if (!valid) return { ok: false, reason: 'badSignature' };
  const claims = parseClaims(payloadBytes);
  if (!claims) return { ok: false, reason: 'malformed' };
  if (now.getTime() >= claims.expiresAt * 1000) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}

function parseClaims(bytes: Buffer): ApprovalClaims | undefined {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { v, r, e, x, n } = value as Record<string, unknown>;
  if (v !== 1 || typeof r !== 'string' || r === '' || typeof e !== 'string' || e === '') return undefined;
  if (typeof x !== 'number' || !Number.isSafeInteger(x) || x <= 0) return undefined;
  if (n !== undefined && typeof n !== 'string') return undefined;
  return { releaseId: r, environment: e, expiresAt: x, ...(n === undefined ? {} : { nonce: n }) };
}

// Domain separation: if the same keys ever sign another kind of link (status pages, say), a MAC made for
// that purpose can never be replayed as an approval, and vice versa.
const MAC_CONTEXT = 'bricklane/approval/v1.';

/** The MAC of a token's payload part (exported so that tests can sign payloads the claim checks refuse). */
export function approvalTokenMac(payloadPart: string, key: string): Buffer {
  return createHmac('sha256', key).update(MAC_CONTEXT).update(payloadPart).digest();
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
export function describeTokenFailure(reason: Extract<ApprovalTokenVerification, { ok: false }>['reason']): {
  status: 400 | 403 | 410;
  title: string;
  message: string;
} {
  switch (reason) {
    case 'malformed':
      return {
        status: 400,
        title: 'Invalid link',
        message:
          'This approval link is incomplete or damaged. Copy the whole link from the message you received.',
      };
    case 'badSignature':
      return {
        status: 403,
        title: 'Invalid link',
        message:
          'This approval link was not issued by this bricklane app, or its signing key has been retired. ' +
          'Ask for a new link.',
      };
    case 'expired':
      return {
        status: 410,
        title: 'Link expired',
        message: 'This approval link has expired. The release stops waiting when its approval time runs out.',
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
