// Test infrastructure: all-or-nothing saves of a `--world` folder. The emulators and Azurite work in a fresh
// generation folder (a copy of the last saved one); a save ends by atomically renaming a pointer file
// (`current`) to name it. rename(2) replaces the target atomically on POSIX
// (https://pubs.opengroup.org/onlinepubs/9699919799/functions/rename.html), so a crash or SIGKILL at any
// moment leaves either the previous complete generation or the new complete one, never a mix.
import {
  closeSync,
  cpSync,
  existsSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

const POINTER = 'current';
const PREFIX = 'gen-';
/** Folders of the layout before generations (state saved straight into the world folder). */
const LEGACY = ['databricks', 'azure', 'azurite'];

export class WorldGenerations {
  private constructor(
    private readonly dir: string,
    /** Where this run's emulators keep their state until `commit`. */
    readonly workDir: string,
  ) {}

  /** Starts a new working generation from the last committed one (held under the world lock). */
  static open(dir: string): WorldGenerations {
    const current = committed(dir);
    // Leftovers of runs that died before committing are never named by the pointer: drop them.
    for (const name of readdirSync(dir)) {
      if (name.startsWith(PREFIX) && name !== current)
        rmSync(join(dir, name), { recursive: true, force: true });
    }
    const number = current ? Number(current.slice(PREFIX.length)) + 1 : 1;
    const workDir = join(dir, `${PREFIX}${String(number).padStart(6, '0')}`);
    if (current) {
      cpSync(join(dir, current), workDir, { recursive: true });
    } else {
      for (const name of LEGACY.filter((n) => existsSync(join(dir, n)))) {
        cpSync(join(dir, name), join(workDir, name), { recursive: true });
      }
    }
    return new WorldGenerations(dir, workDir);
  }

  /** Makes the working generation the saved world (the emulators must have written it fully). */
  commit(): void {
    const previous = committed(this.dir);
    const name = this.workDir.slice(this.dir.length + 1);
    const temp = join(this.dir, `${POINTER}.${process.pid}.tmp`);
    writeFileSync(temp, `${name}\n`);
    syncPath(temp);
    renameSync(temp, join(this.dir, POINTER));
    syncPath(this.dir);
    if (previous) rmSync(join(this.dir, previous), { recursive: true, force: true });
    for (const legacy of LEGACY) rmSync(join(this.dir, legacy), { recursive: true, force: true });
  }
}

function committed(dir: string): string | undefined {
  try {
    const name = readFileSync(join(dir, POINTER), 'utf8').trim();
    return name.startsWith(PREFIX) && existsSync(join(dir, name)) ? name : undefined;
  } catch {
    return undefined;
  }
}

function syncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
