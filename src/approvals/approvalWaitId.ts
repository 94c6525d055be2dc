// Pure: names one approval wait. Every link of a wait carries the same expiry (and nonce, when the
// orchestration sets one); a later wait of the same release and environment has a later expiry.
import type { ApprovalClaims } from './ApprovalClaims';

export function approvalWaitId(claims: ApprovalClaims): string {
  return claims.nonce === undefined ? String(claims.expiresAt) : `${claims.expiresAt}.${claims.nonce}`;
}
