// I/O: creates (once) the emulator's self-signed certificate and returns the CA path.
// ARM SDK clients refuse plain http with a bearer token, so the emulator serves HTTPS; Node reads
// NODE_EXTRA_CA_CERTS only at process start, so every entry point sets it before spawning.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import selfsigned from 'selfsigned';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const certDir = join(root, '.cache', 'certs');
export const certFile = join(certDir, 'emulator.crt');
export const keyFile = join(certDir, 'emulator.key');

export async function ensureCertificate() {
  if (existsSync(certFile) && existsSync(keyFile)) return { certFile, keyFile };
  mkdirSync(certDir, { recursive: true });
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    days: 3650,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  writeFileSync(keyFile, pems.private, { mode: 0o600 });
  writeFileSync(certFile, pems.cert);
  return { certFile, keyFile };
}
