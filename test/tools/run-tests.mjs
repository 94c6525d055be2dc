// I/O: `npm test` = vitest with the emulator's certificate trusted from process start.
import { spawn } from 'node:child_process';
import { ensureCertificate } from './ca.mjs';

const { certFile } = await ensureCertificate();
const child = spawn('vitest', ['run', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, NODE_EXTRA_CA_CERTS: certFile },
});
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
