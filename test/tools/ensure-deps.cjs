// I/O: installs the locked dependencies when a fresh clone runs an npm script before `npm ci`.
// The README's commands must work on a bare machine, so `npm test` and `npm run sandbox` call this first.
'use strict';
const { existsSync, statSync } = require('node:fs');
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');
const marker = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');
const node22 = join(root, 'node_modules', '.bin', 'node');

const stale = !existsSync(marker) || !existsSync(node22) || statSync(marker).mtimeMs < statSync(lock).mtimeMs;
if (stale) {
  console.log('bricklane: installing locked dependencies (npm ci)...');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
}
