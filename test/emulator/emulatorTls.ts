// Test infrastructure: the emulator's TLS key and certificate, shared with every process that trusts it.
// ca.mjs owns the files because `npm test` must point NODE_EXTRA_CA_CERTS at the certificate before
// vitest starts; reading the same files here keeps server and trust store in step.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const certDir = join(__dirname, '..', '..', '.cache', 'certs');

export async function emulatorTls(): Promise<{ key: Buffer; cert: Buffer }> {
  let certFile = join(certDir, 'emulator.crt');
  let keyFile = join(certDir, 'emulator.key');
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    const ca = await import('../tools/ca.mjs');
    ({ certFile, keyFile } = await ca.ensureCertificate());
  }
  const [key, cert] = await Promise.all([readFile(keyFile), readFile(certFile)]);
  return { key, cert };
}
