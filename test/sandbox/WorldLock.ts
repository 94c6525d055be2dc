// Test infrastructure: one sandbox per `--world` folder. A lock file (pid and start time) is taken at start
// and removed at exit; a lock whose pid is gone (a sandbox killed with SIGKILL) is stale and taken over.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const LOCK_FILE = 'sandbox.lock';

export class WorldInUseError extends Error {}

export class WorldLock {
  private constructor(private readonly file: string) {}

  /** Takes the lock on `dir` (which must exist) or throws WorldInUseError naming the holder. */
  static acquire(dir: string): WorldLock {
    const file = join(dir, LOCK_FILE);
    const mine = JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() });
    for (let attempt = 0; ; attempt += 1) {
      try {
        // 'wx' fails when the file exists: creation is the atomic test-and-set.
        writeFileSync(file, `${mine}\n`, { flag: 'wx' });
        return new WorldLock(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      }
      const holder = readHolder(file);
      if (holder && isAlive(holder.pid)) {
        throw new WorldInUseError(
          `${dir} is in use by sandbox pid ${holder.pid} since ${holder.startedAt}; stop it first (Ctrl-C) or use another --world`,
        );
      }
      rmSync(file, { force: true });
    }
  }

  release(): void {
    if (readHolder(this.file)?.pid === process.pid) rmSync(this.file, { force: true });
  }
}

function readHolder(file: string): { pid: number; startedAt: string } | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { pid?: unknown; startedAt?: unknown };
    return typeof parsed.pid === 'number'
      ? { pid: parsed.pid, startedAt: String(parsed.startedAt) }
      : undefined;
  } catch {
    return undefined; // unreadable or half-written: treated as stale
  }
}

/** Signal 0 tests for existence (https://nodejs.org/api/process.html#processkillpid-signal); EPERM means alive. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
