// Test infrastructure: a `--world` save is all or nothing, and one sandbox holds a world at a time.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorldGenerations } from './WorldGenerations';
import { WorldInUseError, WorldLock } from './WorldLock';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bricklane-world-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** Writes `value` into the working generation as an emulator would, in two files. */
function write(generations: WorldGenerations, value: string): void {
  for (const emulator of ['databricks', 'azure']) {
    mkdirSync(join(generations.workDir, emulator), { recursive: true });
    writeFileSync(join(generations.workDir, emulator, 'state.json'), value);
  }
}

function read(generations: WorldGenerations): string[] {
  return ['databricks', 'azure'].map((emulator) => {
    const file = join(generations.workDir, emulator, 'state.json');
    return existsSync(file) ? readFileSync(file, 'utf8') : '(none)';
  });
}

describe('WorldGenerations', () => {
  it('a committed generation is what the next run starts from', () => {
    const first = WorldGenerations.open(dir);
    write(first, 'one');
    first.commit();
    const second = WorldGenerations.open(dir);
    expect(second.workDir).not.toBe(first.workDir);
    expect(read(second)).toEqual(['one', 'one']);
  });

  it('a run that dies before its commit leaves the previous save whole', () => {
    const first = WorldGenerations.open(dir);
    write(first, 'one');
    first.commit();
    const crashed = WorldGenerations.open(dir);
    // Half a save: one emulator wrote, the other did not, and the commit never happened.
    writeFileSync(join(crashed.workDir, 'databricks', 'state.json'), 'two');
    const next = WorldGenerations.open(dir);
    expect(read(next)).toEqual(['one', 'one']);
  });

  it('takes over a world saved before generations (state folders straight in the world)', () => {
    mkdirSync(join(dir, 'databricks'));
    writeFileSync(join(dir, 'databricks', 'state.json'), 'old');
    const generations = WorldGenerations.open(dir);
    expect(read(generations)).toEqual(['old', '(none)']);
    generations.commit();
    expect(existsSync(join(dir, 'databricks'))).toBe(false);
    expect(read(WorldGenerations.open(dir))).toEqual(['old', '(none)']);
  });
});

describe('WorldLock', () => {
  it('refuses a second holder, naming the pid and since when, until the first releases it', () => {
    const lock = WorldLock.acquire(dir);
    expect(() => WorldLock.acquire(dir)).toThrow(WorldInUseError);
    expect(() => WorldLock.acquire(dir)).toThrow(
      new RegExp(`${dir} is in use by sandbox pid ${process.pid} since \\d{4}-\\d\\d-\\d\\dT`),
    );
    lock.release();
    WorldLock.acquire(dir).release();
  });

  it('takes over a lock whose pid is gone', async () => {
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => gone.once('exit', resolve));
    writeFileSync(
      join(dir, 'sandbox.lock'),
      JSON.stringify({ pid: gone.pid, startedAt: '2026-01-01T00:00:00.000Z' }),
    );
    const lock = WorldLock.acquire(dir);
    expect(JSON.parse(readFileSync(join(dir, 'sandbox.lock'), 'utf8'))).toMatchObject({ pid: process.pid });
    lock.release();
    expect(existsSync(join(dir, 'sandbox.lock'))).toBe(false);
  });
});
