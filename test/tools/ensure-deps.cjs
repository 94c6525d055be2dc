// I/O: installs the locked dependencies when a fresh clone runs an npm script before `npm ci`.
// The README's commands must work on a bare machine, so every npm script that needs a dependency (build,
// package, start through build, test, sandbox, bench, bricklane, lint, format, typecheck) calls this first as
// its `pre<script>`. Not `prepare`: npm ci itself runs that one. Its output goes to stderr, so stdout stays
// the command's own (`npm run bricklane -- plan --json > plan.json` works on a fresh clone too).
// Two scripts started together on a fresh clone (or beside an install) must not both run `npm ci`: the second
// would delete the node_modules the first is filling. An install holds a lock folder (mkdir is atomic); the
// others wait for it, then look again.
'use strict';
const { existsSync, mkdirSync, rmSync, statSync } = require('node:fs');
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');
const marker = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');
const node22 = join(root, 'node_modules', '.bin', 'node');
const installLock = join(root, '.cache', 'npm-ci.lock');
const LOCK_STALE_IN_MS = 10 * 60_000;

const stale = () =>
  !existsSync(marker) || !existsSync(node22) || statSync(marker).mtimeMs < statSync(lock).mtimeMs;

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function acquire() {
  mkdirSync(join(root, '.cache'), { recursive: true });
  let told = false;
  for (;;) {
    try {
      mkdirSync(installLock);
      return;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    // A lock left by a killed install must not block forever.
    try {
      if (Date.now() - statSync(installLock).mtimeMs > LOCK_STALE_IN_MS)
        rmSync(installLock, { recursive: true, force: true });
    } catch {
      // Removed meanwhile: try again.
    }
    if (!told) console.error('bricklane: waiting for another install of the dependencies to finish...');
    told = true;
    sleep(500);
  }
}

if (stale()) {
  acquire();
  try {
    if (stale()) {
      console.error('bricklane: installing locked dependencies (npm ci)...');
      execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: ['ignore', 2, 2] });
    }
  } finally {
    rmSync(installLock, { recursive: true, force: true });
  }
}
