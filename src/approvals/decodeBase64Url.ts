// Pure: strict base64url decoding.
// Buffer.from(s, 'base64url') skips characters outside the alphabet and ignores the unused low bits of
// the last character, so several strings decode to the same bytes. A token must have exactly one
// spelling, otherwise editing its last character would still verify.

const ALPHABET = /^[A-Za-z0-9_-]*$/;

/** The bytes, or undefined when `text` is not the canonical unpadded base64url spelling of any bytes. */
export function decodeBase64Url(text: string): Buffer | undefined {
  if (!ALPHABET.test(text) || text.length % 4 === 1) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}
