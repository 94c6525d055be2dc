// Pure: checks X-Hub-Signature-256 (HMAC-SHA256 of the raw body with the webhook secret) in constant time,
// with @octokit/webhooks-methods' `verify`. That package is ESM-only; under module node16 the dynamic
// import stays an import() in the CommonJS output
// (https://www.typescriptlang.org/docs/handbook/modules/reference.html, module node16). `verify` takes the
// payload as a string and signs its UTF-8 encoding, so the raw bytes are decoded strictly: a body that is not
// valid UTF-8 would not round-trip to the bytes GitHub signed, and cannot be a GitHub delivery anyway.
const SIGNATURE = /^sha256=[0-9a-f]{64}$/;

export async function verifyGitHubSignature(
  secret: string,
  rawBody: Uint8Array,
  signature: string,
): Promise<boolean> {
  if (!secret || rawBody.length === 0 || !SIGNATURE.test(signature)) return false;
  let payload: string;
  try {
    // ignoreBOM keeps a leading BOM in the string, so the bytes signed are the bytes received.
    payload = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(rawBody);
  } catch {
    return false;
  }
  const { verify } = await import('@octokit/webhooks-methods');
  return verify(secret, payload, signature);
}
