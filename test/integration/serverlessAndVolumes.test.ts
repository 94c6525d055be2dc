// Issue 15 end to end: a serverless job and init scripts in a Unity Catalog volume deploy through the real CLI into
// an emulated workspace, redeploy with zero writes, and cost one write for a one-field change.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/runCli';
import { LocalWorld } from '../sandbox/LocalWorld';
import type { CliRun } from '../sandbox/runCliCaptured';

const ARTIFACTS = resolve(__dirname, '..', '..', 'artifacts');
const VOLUME = '/Volumes/main/sandbox/init-scripts';
const SCRIPT = `${VOLUME}/install-libs.sh`;

describe('a serverless job and init scripts in a volume', () => {
  let world: LocalWorld;
  let dir: string;

  const deploy = async (extra: Record<string, string> = {}, env = 'vol'): Promise<CliRun> => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(['deploy', dir, '--env', env], {
      env: { ...world.settings(), BRICKLANE_VOLUME_ROOTS: VOLUME, ...extra },
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      cwd: process.cwd(),
    });
    return { code, stdout, stderr };
  };
  const edit = (path: string, change: (text: string) => string): void =>
    writeFileSync(join(dir, path), change(readFileSync(join(dir, path), 'utf8')));

  beforeAll(async () => {
    world = await LocalWorld.start({ environments: ['vol', 'adopt'], auth: 'token' });
    for (const env of ['vol', 'adopt']) world.emulator.workspace(env).addVolume(VOLUME);
    dir = mkdtempSync(join(tmpdir(), 'bricklane-volume-'));
    cpSync(ARTIFACTS, dir, { recursive: true });
    edit('bricklane.json', (t) =>
      t.replace(
        '"initScriptTarget": "workspace"',
        `"initScriptTarget": "volume",\n  "initScriptRoot": "${VOLUME}"`,
      ),
    );
  });
  afterAll(async () => {
    await world?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('deploys the init script into the volume, the cluster referencing it there, and the serverless job as it is', async () => {
    const run = await deploy();
    expect(run.stderr + run.stdout).not.toMatch(/FAILED/);
    expect(run.code).toBe(0);
    const snap = world.emulator.snapshot('vol');
    expect(Object.keys(snap.volumeFiles)).toEqual([SCRIPT]);
    expect(Object.keys(snap.workspaceFiles).filter((p) => p.includes('init-scripts'))).toEqual([]);
    const ml = snap.clusters.find((c) => c.cluster_name === 'ML');
    expect(ml?.spec['init_scripts']).toEqual([{ volumes: { destination: SCRIPT } }]);
    const serverless = snap.jobs.find((j) => j.settings['name'] === 'serverless_ingest');
    expect(serverless?.settings['environments']).toEqual([
      { environment_key: 'default', spec: { environment_version: '2', dependencies: ['requests==2.32.3'] } },
    ]);
    const tasks = serverless?.settings['tasks'] as Record<string, unknown>[];
    expect(tasks.map((t) => [t['environment_key'], t['existing_cluster_id'] ?? null])).toEqual([
      ['default', null],
    ]);
  });

  it('redeploys with zero writes', async () => {
    world.emulator.resetCounters();
    const run = await deploy();
    expect(run.code).toBe(0);
    expect(world.emulator.counters('vol').writes).toBe(0);
  });

  it('makes exactly one Files API write when the init script changes', async () => {
    edit('init-scripts/install-libs.sh', (t) => `${t}\n# changed by the test\n`);
    world.emulator.resetCounters();
    const run = await deploy();
    expect(run.code).toBe(0);
    const counters = world.emulator.counters('vol');
    expect(counters.writes).toBe(1);
    expect(counters.byEndpoint['2.0/fs/files']).toBe(1);
    const bytes = world.emulator.workspace('vol').volumes.file(SCRIPT).bytes.toString('utf8');
    expect(bytes).toContain('# changed by the test');
  });

  it('makes exactly one write (jobs/reset) when one field of the serverless job changes', async () => {
    edit('jobs/serverless-ingest.json', (t) => t.replace('"requests==2.32.3"', '"requests==2.32.4"'));
    world.emulator.resetCounters();
    const run = await deploy();
    expect(run.code).toBe(0);
    const counters = world.emulator.counters('vol');
    expect(counters.writes).toBe(1);
    expect(counters.byEndpoint['2.2/jobs/reset']).toBe(1);
  });

  it('never overwrites a script in the volume that bricklane did not put there, unless the operator allows adoption', async () => {
    const volumes = world.emulator.workspace('adopt').volumes;
    volumes.upload(SCRIPT, Buffer.from('#!/bin/bash\n# theirs\n'), true);
    const refused = await deploy({}, 'adopt');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/exists in the workspace but bricklane did not deploy it/);
    expect(volumes.file(SCRIPT).bytes.toString('utf8')).toContain('# theirs');
    const adopted = await deploy({ BRICKLANE_ADOPT_ADOPT_EXISTING: 'true' }, 'adopt');
    expect(adopted.code).toBe(0);
    expect(volumes.file(SCRIPT).bytes.toString('utf8')).not.toContain('# theirs');
  });

  it('refuses a volume outside VOLUME_ROOTS before any call', async () => {
    world.emulator.resetCounters();
    const run = await deploy({ BRICKLANE_VOLUME_ROOTS: '/Volumes/main/other/scripts' });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/BOUNDARY_INIT_SCRIPT_ROOT|outside the Unity Catalog volume folders/);
    expect(world.emulator.counters().total).toBe(0);
  });
});
