import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyGitHubSignature } from '../../../src/sources/verifyGitHubSignature';
import { branchPushExample } from '../../fixtures/webhooks/githubExamples';

// GitHub's documented test values ("Validating webhook deliveries", "Testing the webhook payload validation").
const DOCS_SECRET = "It's a Secret to Everybody";
const DOCS_PAYLOAD = Buffer.from('Hello, World!');
const DOCS_SIGNATURE = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

const sign = (secret: string, body: Uint8Array): string =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe('verifyGitHubSignature', () => {
  it("accepts GitHub's documented example", async () => {
    expect(await verifyGitHubSignature(DOCS_SECRET, DOCS_PAYLOAD, DOCS_SIGNATURE)).toBe(true);
  });

  it('accepts a real push payload with non-ASCII text, over its exact bytes', async () => {
    const body = Buffer.from(JSON.stringify({ ...branchPushExample(), note: 'Grüße — ✓' }, null, 2));
    expect(await verifyGitHubSignature('s3cret', body, sign('s3cret', body))).toBe(true);
  });

  it('keeps a leading byte order mark as signed', async () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), DOCS_PAYLOAD]);
    expect(await verifyGitHubSignature(DOCS_SECRET, body, sign(DOCS_SECRET, body))).toBe(true);
    expect(await verifyGitHubSignature(DOCS_SECRET, body, DOCS_SIGNATURE)).toBe(false);
  });

  const refused: [string, string, Uint8Array, string][] = [
    ['another secret', 'It’s a Secret to Everybody', DOCS_PAYLOAD, DOCS_SIGNATURE],
    ['one byte changed', DOCS_SECRET, Buffer.from('Hello, World?'), DOCS_SIGNATURE],
    ['the sha1 header format', DOCS_SECRET, DOCS_PAYLOAD, 'sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59'],
    ['upper-case hex', DOCS_SECRET, DOCS_PAYLOAD, DOCS_SIGNATURE.toUpperCase()],
    ['a truncated signature', DOCS_SECRET, DOCS_PAYLOAD, DOCS_SIGNATURE.slice(0, -2)],
    ['an empty signature', DOCS_SECRET, DOCS_PAYLOAD, ''],
    ['an empty body', DOCS_SECRET, Buffer.alloc(0), sign(DOCS_SECRET, Buffer.alloc(0))],
    ['an empty secret', '', DOCS_PAYLOAD, sign('', DOCS_PAYLOAD)],
    [
      'bytes that are not UTF-8, even when signed',
      DOCS_SECRET,
      Buffer.from([0x7b, 0xff, 0x7d]),
      sign(DOCS_SECRET, Buffer.from([0x7b, 0xff, 0x7d])),
    ],
  ];
  it.each(refused)('refuses %s', async (_name, secret, body, signature) => {
    expect(await verifyGitHubSignature(secret, body, signature)).toBe(false);
  });
});
