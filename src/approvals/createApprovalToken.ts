// Pure: signs an approval link's claims: base64url(payload) "." base64url(HMAC-SHA256).
// The payload is compact JSON ({ v, r, e, x, n }) so that the link stays short enough for mail clients
// and chat apps, which wrap or cut long URLs.
import type { ApprovalClaims } from './ApprovalClaims';
import { approvalTokenMac } from './approvalTokenMac';
import { MissingSigningKeyError } from './MissingSigningKeyError';

/** The first key signs; the others only verify (see verifyApprovalToken), which is how keys rotate. */
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
