// Pure: checks an approval token from a URL. Anyone can put anything in a URL, so every input gives a
// result and nothing throws; the caller maps the reason to a status (400 / 403 / 410).
import { timingSafeEqual } from 'node:crypto';
import type { ApprovalClaims } from './ApprovalClaims';
import { approvalTokenMac } from './approvalTokenMac';
import { decodeBase64Url } from './decodeBase64Url';

export type ApprovalTokenVerification =
  { ok: true; claims: ApprovalClaims } | { ok: false; reason: 'malformed' | 'badSignature' | 'expired' };

// Our tokens are about 200 characters; a cap keeps hostile input from costing HMAC time per key.
const MAX_TOKEN_LENGTH = 2048;
const MAC_BYTES = 32;

/**
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
