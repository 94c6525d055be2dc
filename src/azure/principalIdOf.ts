// I/O: the object id of the identity behind a credential, read from its access token's `oid` claim.
// Error messages name the identity that lacks a role, so an operator can grant exactly that one.
import type { TokenCredential } from '@azure/core-auth';

export async function principalIdOf(credential: TokenCredential, scope: string): Promise<string> {
  const claims = await tokenClaims(credential, scope);
  return typeof claims.oid === 'string' ? claims.oid : '<the Function App identity>';
}

/** Claims of a JWT access token (not verified: they are only used to describe ourselves). */
export async function tokenClaims(
  credential: TokenCredential,
  scope: string,
): Promise<Record<string, unknown>> {
  const token = await credential.getToken(scope);
  const payload = token?.token.split('.')[1];
  if (!payload) return {};
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}
