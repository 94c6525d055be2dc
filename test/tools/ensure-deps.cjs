// I/O: installs the locked dependencies when a fresh clone runs an npm script before `npm ci`.
// The README's commands must work on a bare machine, so every npm script that needs a dependency (build,
// package, start through build, test, sandbox, bench, bricklane, lint, format, typecheck) calls this first as
// its `pre<script>`. Not `prepare`: npm ci itself runs that one. Its output goes to stderr, so stdout stays
// the command's own (`npm run bricklane -- plan --json > plan.json` works on a fresh clone too).
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
  console.error('bricklane: installing locked dependencies (npm ci)...');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: ['ignore', 2, 2] });
}
