// I/O: runs a command with the emulator's certificate trusted (NODE_EXTRA_CA_CERTS set before start).
import { spawn } from 'node:child_process';
import { ensureCertificate } from './ca.mjs';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.warn(
    `bricklane: running on Node ${process.version}; the target is Node 22 (run through npm scripts to use the pinned node@22).`,
  );
}
const { certFile } = await ensureCertificate();
const [cmd, ...args] = process.argv.slice(2);
const child = spawn(cmd, args, { stdio: 'inherit', env: { ...process.env, NODE_EXTRA_CA_CERTS: certFile } });
// A terminal's Ctrl-C reaches the whole process group; a signal sent to this process alone is passed on. Either
// way this wrapper waits for the command to finish (the sandbox saves its world on the way out).
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
