#!/usr/bin/env node
// I/O: the `bricklane` executable.
import { runCli } from './runCli';

runCli(process.argv.slice(2), {
  env: process.env,
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  cwd: process.cwd(),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bricklane: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
