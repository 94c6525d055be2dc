// Test infrastructure: `npm run sandbox`'s answers to mistakes, checked through the real entry point (tsx
// test/sandbox/main.ts; NODE_EXTRA_CA_CERTS comes from the test runner, as with-ca.mjs sets it): each is
// named, exit 2, before any world starts; `deploy … --json` leaves stdout to the JSON alone; --via flows
// print their status link, and an interactive re-run on a finished release keeps serving until Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'bricklane-sandbox-main-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const ENTRY = [
  join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
  join(ROOT, 'test', 'sandbox', 'main.ts'),
];

function sandbox(...args: string[]): { status: number | null; stdout: string; stderr: string; ms: number } {
  const started = Date.now();
  const run = spawnSync(process.execPath, [...ENTRY, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, ms: Date.now() - started };
}

describe('npm run sandbox: mistakes are named, exit 2, before the world starts', () => {
  const empty = mkdtempSync(join(scratch, 'empty-'));
  const file = join(scratch, 'bundle.json');
  writeFileSync(file, '{}');
  it.each([
    [['--bundle', join(scratch, 'missing')], /--bundle .*missing: no such folder/],
    [['--bundle', file], /--bundle .*bundle\.json: not a folder/],
    [['--bundle', empty], /--bundle .*empty-\w+: the folder is empty/],
    [['--frob'], /Unknown option '--frob'/],
    [['bogus'], /unknown command "bogus"/],
    [['deploy', 'artifacts', 'extra'], /unexpected argument "extra" after deploy/],
    [['doctor', 'x', 'y'], /unexpected arguments "x" "y" after doctor/],
    [['--json'], /--json applies to deploy, plan and doctor/],
    [['--state-out', 'state.json'], /--state-out .*state\.json is inside the repository/],
    [['deploy', 'artifacts', '--state-out', join(ROOT, 'test', 's.json')], /is inside the repository/],
    [['--faults', '5xx=2'], /--faults: fault spec: 5xx=2 is out of range; a rate is in 0\.\.1/],
    [['--seed', '3'], /--seed applies with --faults/],
    [['--faults', 'default', '--seed', 'x'], /--seed x is not a whole number/],
    [['--storage-outage', '3s'], /--storage-outage takes <ms>@<delay-ms>/],
    [['--prod-targets', 'weu,North'], /--prod-targets: "North" is not a valid target name/],
    [['--scenario', 'crash'], /--scenario takes "rollback"/],
    [['--scenario', 'rollback', '--via', 'github'], /with --bundle and --world only \(not --via\)/],
  ])(
    '%j',
    (args, message) => {
      const run = sandbox(...args);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(message);
      // No stack trace, and no world started (its banner never printed).
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(`${run.stdout}${run.stderr}`).not.toMatch(/emulated/);
    },
    30_000,
  );

  it('deploy --json prints the JSON alone on stdout (progress on stderr); --state-out may go under .cache/', () => {
    const stateOut = join(ROOT, '.cache', `sandbox-main-test-${process.pid}.json`);
    try {
      const run = sandbox('deploy', 'artifacts', '--json', '--state-out', stateOut);
      expect(run.status).toBe(0);
      expect(() => JSON.parse(run.stdout) as unknown).not.toThrow();
      expect(() => JSON.parse(readFileSync(stateOut, 'utf8')) as unknown).not.toThrow();
    } finally {
      rmSync(stateOut, { force: true });
    }
  }, 60_000);
});

describe('npm run sandbox -- --scenario rollback', () => {
  it("ends with QA rolled back to release 1 by itself, each of the scenario's outside checks ok", () => {
    const run = sandbox('--scenario', 'rollback');
    expect(run.status, run.stdout + run.stderr).toBe(0);
    for (const check of [
      'release 2 ended rolledBack',
      'Dev succeeded, QA rolled back, Prod skipped',
      "QA's workspace holds exactly release 1's objects",
      'QA\'s status page says "Rolled back"',
      'QA\'s notification says "rolled back"',
    ])
      expect(run.stdout).toContain(`ok   ${check}`);
    expect(run.stdout).not.toContain('FAIL');
  }, 60_000);
});

describe('npm run sandbox --via github', () => {
  it('prints the status link; run again on the finished release it prints it again and keeps serving until Ctrl-C', async () => {
    const world = join(scratch, 'world');
    const first = sandbox('--via', 'github', '--approve', 'all', '--world', world);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(
      /^github: release \S+ started by a push of \w+ \(status: http:\S+\/api\/views\/\S+\)$/m,
    );

    // Interactive (no --approve all), on the same world: the release is over, the sandbox stays up.
    const again = spawn(process.execPath, [...ENTRY, '--via', 'github', '--world', world], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const exited = new Promise<number | null>((done) => again.on('exit', (code) => done(code)));
    await new Promise<void>((serving, fail) => {
      const timer = setTimeout(() => fail(new Error(`not serving:\n${out}`)), 40_000);
      again.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        if (out.includes('still serving')) {
          clearTimeout(timer);
          serving();
        }
      });
    });
    expect(out).toMatch(/\(status: http:\S+\/api\/views\/\S+\)/);
    expect(out).toMatch(/^sandbox: final status: http:\S+\/api\/views\/\S+$/m);
    await new Promise((r) => setTimeout(r, 500));
    expect(again.exitCode).toBeNull();
    again.kill('SIGINT');
    expect(await exited).toBe(0);
  }, 90_000);
});
