// Cluster policies and permissions end to end: the real CLI, the real client, the emulator over HTTPS, Azurite.
// The sample bundle (artifacts/) has a policy that clusters/small.json names, permissions on a job, on the
// policy and on the notebook folder. Each kind deploys and redeploys with 0 writes, a one-field change costs one
// write, a permission added by hand is drift and survives a redeploy, and a cluster the policy forbids is
// refused at validation with no request at all.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalWorld } from '../sandbox/LocalWorld';
import { runCli } from '../../src/cli/runCli';
import { runCliCaptured } from '../sandbox/runCliCaptured';

const ARTIFACTS = resolve(__dirname, '..', '..', 'artifacts');
const POLICY = 'bricklane-sample small clusters';

function writes(stdout: string): number {
  const match = /requests: \d+ \((\d+) writes\)/.exec(stdout);
  if (!match) throw new Error(`no request count in:\n${stdout}`);
  return Number(match[1]);
}

function editJson(path: string, change: (value: Record<string, unknown>) => void): void {
  const value = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  change(value);
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

describe('cluster policies and permissions in an emulated workspace', () => {
  let world: LocalWorld;
  let dir: string;

  beforeAll(async () => {
    world = await LocalWorld.start({ environments: ['dev'], auth: 'token' });
    dir = mkdtempSync(join(tmpdir(), 'bricklane-access-'));
    cpSync(ARTIFACTS, dir, { recursive: true });
  });
  afterAll(async () => {
    await world?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const deploy = () => runCliCaptured(world, ['deploy', dir, '--env', 'dev']);
  const workspace = () => world.emulator.workspace('dev');
  const jobId = (name: string): string =>
    String(world.emulator.snapshot('dev').jobs.find((j) => j.settings['name'] === name)?.job_id);

  it('creates the policy, the cluster under it, and the declared permissions', async () => {
    const run = await deploy();
    expect(run.stderr + run.stdout).not.toMatch(/FAILED/);
    expect(run.code).toBe(0);
    const policies = workspace().policies.list();
    expect(policies.map((p) => p['name'])).toEqual([POLICY]);
    const small = world.emulator.snapshot('dev').clusters.find((c) => c.cluster_name === 'Small');
    expect(small?.spec['policy_id']).toBe(policies[0]?.['policy_id']);
    expect(small?.spec).not.toHaveProperty('policy_name');
    expect(workspace().permissions.direct('jobs', jobId('daily_report'))).toEqual({
      'user_name:bricklane-emulator@example.com': 'IS_OWNER',
      'group_name:data-engineers': 'CAN_MANAGE_RUN',
      'group_name:data-analysts': 'CAN_VIEW',
    });
    expect(workspace().permissions.direct('cluster-policies', String(policies[0]?.['policy_id']))).toEqual({
      'group_name:data-engineers': 'CAN_USE',
    });
    const folder = workspace().getObject('/Shared/MyProject');
    expect(folder?.object_type).toBe('DIRECTORY');
    expect(workspace().permissions.direct('directories', String(folder?.object_id))).toEqual({
      'group_name:data-analysts': 'CAN_READ',
    });
  });

  it('redeploys with 0 writes', async () => {
    const run = await deploy();
    expect(run.code).toBe(0);
    expect(writes(run.stdout)).toBe(0);
  });

  it('shows a permission added by hand as drift, and keeps it through a redeploy', async () => {
    workspace().addPrincipal('group_name', 'auditors');
    workspace().permissions.seed('jobs', jobId('daily_report'), 'group_name:auditors', 'CAN_VIEW');
    const plan = await runCliCaptured(world, ['plan', dir, '--env', 'dev']);
    expect(plan.stdout).toMatch(
      /= permissions\.jobs\.daily_report: every declared entry is live \[drift: added outside bricklane: group auditors CAN_VIEW \(kept: bricklane manages only the entries it declares\)\]/,
    );
    const run = await deploy();
    expect(run.code).toBe(0);
    expect(writes(run.stdout)).toBe(0);
    expect(workspace().permissions.direct('jobs', jobId('daily_report'))['group_name:auditors']).toBe(
      'CAN_VIEW',
    );
  });

  it('a one-field change of the policy costs one write; of a permission, one write', async () => {
    editJson(join(dir, 'policies', 'small-clusters.json'), (p) => (p['max_clusters_per_user'] = 3));
    const run = await deploy();
    expect(run.code).toBe(0);
    expect(writes(run.stdout)).toBe(1);
    expect(workspace().policies.list()[0]?.['max_clusters_per_user']).toBe(3);

    editJson(join(dir, 'jobs', 'daily-report.json'), (j) => {
      (j['permissions'] as { level?: string; permission_level?: string }[])[1] = {
        group_name: 'data-analysts',
        permission_level: 'CAN_MANAGE_RUN',
      } as never;
    });
    // The operator allows the new level first (BRICKLANE_PERMISSIONS); the bundle alone cannot.
    const permitted = await runCliWith(world, dir, 'group:data-analysts=CAN_MANAGE_RUN');
    expect(permitted.code).toBe(0);
    expect(writes(permitted.stdout)).toBe(1);
    expect(workspace().permissions.direct('jobs', jobId('daily_report'))['group_name:data-analysts']).toBe(
      'CAN_MANAGE_RUN',
    );
    // The hand-added entry is still there: PATCH keeps what it does not name.
    expect(workspace().permissions.direct('jobs', jobId('daily_report'))['group_name:auditors']).toBe(
      'CAN_VIEW',
    );
  });

  it('refuses a cluster the policy forbids at validation, with the rule it breaks, and sends no request', async () => {
    editJson(join(dir, 'clusters', 'small.json'), (c) => (c['num_workers'] = 8));
    const before = world.emulator.counters('dev').total;
    const run = await deploy();
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).toContain(
      'error: clusters/small.json $.num_workers: Cluster "Small" breaks policy "bricklane-sample small clusters" (policies/small-clusters.json)',
    );
    expect(run.stdout + run.stderr).toContain(
      '`num_workers` is 8, but the policy requires a number from 1 to 4',
    );
    expect(world.emulator.counters('dev').total).toBe(before);
  });
});

async function runCliWith(world: LocalWorld, dir: string, extraPermission: string) {
  let stdout = '';
  let stderr = '';
  const env = world.settings();
  env['BRICKLANE_PERMISSIONS'] = `${env['BRICKLANE_PERMISSIONS'] ?? ''},${extraPermission}`;
  const code = await runCli(['deploy', dir, '--env', 'dev'], {
    env,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd: process.cwd(),
  });
  return { code, stdout, stderr };
}
