// Pure: checks an `Authorization: Basic` header against the expected user name and password in constant
// time. Both sides are hashed first, so the comparison takes the same time whatever the lengths, and both
// parts are always compared (no early exit that would tell which one was wrong).
import { createHash, timingSafeEqual } from 'node:crypto';

export function checkBasicAuth(
  header: string | null,
  expected: { username: string; password: string },
): boolean {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  const decoded = match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  const username = colon < 0 ? '' : decoded.slice(0, colon);
  const password = colon < 0 ? '' : decoded.slice(colon + 1);
  const userOk = sameSecret(username, expected.username);
  const passwordOk = sameSecret(password, expected.password);
  return Boolean(match) && colon >= 0 && userOk && passwordOk;
}

function sameSecret(given: string, wanted: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(wanted));
}
