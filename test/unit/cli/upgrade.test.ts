// `bricklane validate --upgrade [--write <dir>]` (issue 15) on the sample bundle and the seed-style fixture, in
// process: every deprecated use listed with its change, a converted copy written to a new folder that validates,
// and the folders it refuses to write into.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/runCli';
import type { UpgradeFinding } from '../../../src/manifest/upgradeReport';

const REPO = resolve(__dirname, '../../..');
const scratch = mkdtempSync(join(tmpdir(), 'bricklane-upgrade-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    env: { BRICKLANE_ENVIRONMENTS: 'dev' },
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd: REPO,
  });
  return { code, stdout, stderr };
}

const codesOf = (stdout: string): string[][] =>
  (JSON.parse(stdout) as { findings: UpgradeFinding[] }).findings.map((f) => [f.code, f.file, f.path]);

describe('bricklane validate --upgrade', () => {
  it('lists every deprecated use in the sample bundle (artifacts/), exit 0, and leaves it unchanged', async () => {
    const before = readFileSync(join(REPO, 'artifacts/jobs/nightly-etl.json'), 'utf8');
    const run = await cli(['validate', 'artifacts', '--upgrade', '--json']);
    expect(run.code).toBe(0);
    expect(codesOf(run.stdout)).toEqual([
      ['CLUSTER_ONLY_FOR_JOBS', 'clusters/medium.json', '$.cluster_name'],
      ['CLUSTER_ONLY_FOR_JOBS', 'clusters/ml.json', '$.cluster_name'],
      ['CLUSTER_ONLY_FOR_JOBS', 'clusters/small.json', '$.cluster_name'],
      ['CLUSTER_ID_HOLDS_NAME', 'jobs/daily-report.json', '$.tasks[2].existing_cluster_id'],
      ['JOBS_2_0_SINGLE_TASK', 'jobs/nightly-etl.json', '$'],
    ]);
    expect(readFileSync(join(REPO, 'artifacts/jobs/nightly-etl.json'), 'utf8')).toBe(before);
  });

  it('lists the seed-style bundle’s DBFS init script, 2.0 job and job-only cluster, each with its change', async () => {
    const run = await cli(['validate', 'test/fixtures/bundles/seed-style', '--upgrade']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('3 deprecated use(s); --write converts 3 of them');
    expect(run.stdout).toMatch(/DBFS_INIT_SCRIPT: clusters\/small\.json .*end-of-life/);
    expect(run.stdout).toContain(
      'change: replace the entry with {"workspace":{"destination":"init-scripts/cluster-init.sh"}}',
    );
    expect(run.stdout).toMatch(/JOBS_2_0_SINGLE_TASK: jobs\/job\.json \$/);
    expect(run.stdout).toMatch(/CLUSTER_ONLY_FOR_JOBS: clusters\/small\.json/);
  });

  it('--write puts a converted copy in a new folder that validates cleanly and has nothing deprecated left', async () => {
    const target = join(scratch, 'seed-converted');
    const run = await cli([
      'validate',
      'test/fixtures/bundles/seed-style',
      '--upgrade',
      '--write',
      target,
      '--json',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as {
      written: { valid: boolean; changed: string[]; removed: string[]; remaining: unknown[] };
    };
    expect(out.written).toMatchObject({
      valid: true,
      changed: ['jobs/job.json'],
      removed: ['clusters/small.json'],
      remaining: [],
    });
    const job = JSON.parse(readFileSync(join(target, 'jobs/job.json'), 'utf8')) as Record<string, unknown>;
    expect(job['job_clusters']).toEqual([
      expect.objectContaining({
        job_cluster_key: 'Small',
        new_cluster: expect.objectContaining({
          init_scripts: [{ workspace: { destination: 'init-scripts/cluster-init.sh' } }],
        }),
      }),
    ]);
    const check = await cli(['validate', target, '--json']);
    expect(check.code).toBe(0);
    const codes = (JSON.parse(check.stdout) as { diagnostics: { code?: string }[] }).diagnostics.map(
      (d) => d.code,
    );
    expect(codes.filter((c) => c !== 'BUNDLE_ENTRY_IGNORED')).toEqual([]);
  });

  it('refuses to write into an existing non-empty folder, or inside the bundle, exit 2, writing nothing', async () => {
    const full = join(scratch, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'keep.txt'), 'mine\n');
    const refused = await cli(['validate', 'test/fixtures/bundles/seed-style', '--upgrade', '--write', full]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/exists and is not empty/);
    const inside = await cli([
      'validate',
      'test/fixtures/bundles/seed-style',
      '--upgrade',
      '--write',
      'test/fixtures/bundles/seed-style/converted',
    ]);
    expect(inside.code).toBe(2);
    expect(inside.stderr).toMatch(/is inside the bundle/);
  });

  it('takes --write only with --upgrade, and --upgrade only with validate (exit 2)', async () => {
    expect((await cli(['validate', 'artifacts', '--write', join(scratch, 'x')])).code).toBe(2);
    expect((await cli(['plan', 'artifacts', '--env', 'dev', '--upgrade'])).code).toBe(2);
  });
});
