// Test infrastructure: the sandbox interrupted at random points (seeded; the seed is printed) with one Ctrl-C
// or two 0.3 s apart, sent to its process group as a terminal does, then resumed with the same command,
// ends in the same world as an uninterrupted run: the same notebooks, files, clusters and jobs in every
// environment, and the same release, succeeded. BRICKLANE_RESUME_RUNS sets the number of interrupted runs
// (default 3; the bar is 20 in a row), BRICKLANE_RESUME_SEED the first seed.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../emulator/seededRandom';
import { WorldLock } from '../sandbox/WorldLock';
import { normalizeWorldState as normalize, type NormalizedState } from '../sandbox/normalizeWorldState';

const ROOT = join(__dirname, '..', '..');
const RUNS = Number(process.env.BRICKLANE_RESUME_RUNS ?? 3);
const FIRST_SEED = Number(process.env.BRICKLANE_RESUME_SEED ?? Date.now() % 1_000_000);
const RUN_LIMIT_MS = 120_000;

interface Outcome {
  code: number | null;
  output: string;
}

let scratch: string;
let baseline: { durationMs: number; state: NormalizedState };

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'bricklane-resume-'));
  const world = join(scratch, 'baseline');
  const started = Date.now();
  const run = await sandbox(world).exited;
  expect(run.code, run.output).toBe(0);
  baseline = { durationMs: Date.now() - started, state: normalize(readState(world)) };
}, RUN_LIMIT_MS);
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('a sandbox interrupted and resumed', () => {
  it(
    `ends like an uninterrupted run (${RUNS} runs)`,
    async () => {
      process.stdout.write(`sandboxResume: seeds ${FIRST_SEED}..${FIRST_SEED + RUNS - 1}\n`);
      for (let run = 0; run < RUNS; run += 1) {
        const seed = FIRST_SEED + run;
        const random = seededRandom(seed);
        const world = join(scratch, `run-${seed}`);
        const story: string[] = [];
        let releaseId: string | undefined;
        // Up to two interrupted attempts, then one left to finish.
        for (let attempt = 0; attempt < 3; attempt += 1) {
          const child = sandbox(world);
          let outcome: Outcome;
          if (attempt < 2 && random() < (attempt === 0 ? 1 : 0.5)) {
            const delay = Math.round(random() * baseline.durationMs * 1.1);
            const double = random() < 0.5;
            story.push(`attempt ${attempt + 1}: ${double ? 'two signals' : 'one signal'} at ${delay} ms`);
            await Promise.race([child.exited, sleep(delay)]);
            child.signal();
            if (double) {
              await Promise.race([child.exited, sleep(300)]);
              child.signal();
            }
            outcome = await child.exited;
          } else {
            story.push(`attempt ${attempt + 1}: uninterrupted`);
            outcome = await child.exited;
          }
          story.push(`exit ${outcome.code}`);
          const context = `seed ${seed}: ${story.join('; ')}\n${outcome.output}`;
          // 130: stopped by the signal (the world saved); 0: the release had ended before it arrived.
          expect([0, 130], context).toContain(outcome.code);
          // The release once started is the one every later attempt follows, never a new one.
          const started = /release (\S+) started/.exec(outcome.output)?.[1];
          if (started) {
            if (releaseId) expect(started, context).toBe(releaseId);
            releaseId ??= started;
          }
          if (outcome.code === 0) {
            const state = readState(world);
            if (releaseId) expect(releaseIdOf(state), context).toBe(releaseId);
            expect(normalize(state), context).toEqual(baseline.state);
            break;
          }
          expect(attempt, `${context}\nstill interrupted after the uninterrupted attempt`).toBeLessThan(2);
        }
        process.stdout.write(`sandboxResume: seed ${seed}: ${story.join('; ')}: same final state\n`);
        await rm(world, { recursive: true, force: true });
      }
    },
    RUNS * 4 * RUN_LIMIT_MS,
  );
});

describe('a second sandbox on the same --world', () => {
  it('says which sandbox holds it and exits 2, leaving the world alone', async () => {
    const world = join(scratch, 'held');
    mkdirSync(world, { recursive: true });
    const lock = WorldLock.acquire(world);
    try {
      const second = await sandbox(world).exited;
      expect(second.code).toBe(2);
      expect(second.output).toMatch(
        new RegExp(`${world} is in use by sandbox pid ${process.pid} since \\d{4}-\\d\\d-\\d\\dT`),
      );
      expect(existsSync(join(world, 'current'))).toBe(false);
    } finally {
      lock.release();
    }
  });
});

/** The sandbox as `npm run sandbox` starts it, in its own process group so a signal reaches it all. */
function sandbox(world: string): { exited: Promise<Outcome>; signal(): void } {
  const child = spawn(
    join(ROOT, 'node_modules', '.bin', 'node'),
    [
      'test/tools/with-ca.mjs',
      'tsx',
      'test/sandbox/main.ts',
      '--approve',
      'all',
      '--world',
      world,
      '--state-out',
      join(world, 'state.json'),
    ],
    {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PATH: `${join(ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}` },
    },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const pid = child.pid ?? 0;
  const limit = setTimeout(() => process.kill(-pid, 'SIGKILL'), RUN_LIMIT_MS);
  const exited = new Promise<Outcome>((resolve) => {
    child.once('exit', (code, signal) => {
      // A signal before the wrapper listens ends it at once; what it started may still be saving.
      void groupGone(pid).then(() => {
        clearTimeout(limit);
        resolve({ code: code ?? 128 + (signal === 'SIGINT' ? 2 : 0), output });
      });
    });
  });
  return {
    exited,
    signal: () => {
      // Like Ctrl-C at a terminal: SIGINT to the whole foreground process group.
      if (child.exitCode !== null) return;
      try {
        process.kill(-pid, 'SIGINT');
      } catch (error) {
        // The group ended between the check and the signal (the release had finished, exit not yet seen here):
        // there is nothing left to interrupt, as when the signal comes after the end.
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      }
    },
  };
}

function readState(world: string): Record<string, unknown> {
  const file = join(world, 'state.json');
  expect(existsSync(file), `${file} written`).toBe(true);
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

function releaseIdOf(state: Record<string, unknown>): unknown {
  return (state.releases as { releaseId: string }[])[0]?.releaseId;
}

/** Resolves once no process of the group is left (signal 0 answers ESRCH). */
async function groupGone(pgid: number): Promise<void> {
  for (;;) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return;
    }
    await sleep(50);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
