// The operator's init-script target per environment (BRICKLANE_<ENV>_INIT_SCRIPT_TARGET), end to end through the
// real CLI and the emulator: the seed-style bundle (whose cluster names the seed's dbfs:/init-scripts/... script
// and whose bricklane.json keeps the default, workspace files) keeps DBFS in one environment, deploys workspace
// files in another and a Unity Catalog volume in a third; each cluster runs its own environment's copy, the
// plan says which setting chose it, and a redeploy writes nothing.
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobServiceClient } from '@azure/storage-blob';
import { applyWave } from '../../src/activities/applyWave';
import { planEnvironment } from '../../src/activities/planEnvironment';
import { ReleaseStorage } from '../../src/azure/ReleaseStorage';
import { runCli } from '../../src/cli/runCli';
import { stageBundle } from '../../src/sources/stageBundle';
import { LocalWorld } from '../sandbox/LocalWorld';

const SEED_STYLE = resolve(__dirname, '..', 'fixtures', 'bundles', 'seed-style');
const VOLUME = '/Volumes/main/ops/scripts';

describe('an init-script target the operator chooses per environment', () => {
  let world: LocalWorld;
  const settings = (): Record<string, string> => ({
    ...world.settings(),
    BRICKLANE_LEGACY_INIT_SCRIPT_TARGET: 'dbfs',
    BRICKLANE_LEGACY_DBFS_INIT_SCRIPT_ROOTS: 'dbfs:/init-scripts/MyProject',
    BRICKLANE_INIT_SCRIPT_TARGET: 'workspace',
    BRICKLANE_UC_INIT_SCRIPT_TARGET: `volume:${VOLUME}/init-scripts`,
    BRICKLANE_UC_VOLUME_ROOTS: VOLUME,
  });
  const cli = async (...args: string[]): Promise<{ code: number; out: string }> => {
    let out = '';
    const code = await runCli(args, {
      env: settings(),
      stdout: (t) => (out += t),
      stderr: (t) => (out += t),
      cwd: process.cwd(),
    });
    return { code, out };
  };

  beforeAll(async () => {
    world = await LocalWorld.start({ environments: ['legacy', 'modern', 'uc'], auth: 'token' });
    world.emulator.workspace('uc').addVolume(VOLUME);
  });
  afterAll(async () => {
    await world?.stop();
  });

  const initScriptsOf = (env: string): unknown[] =>
    world.emulator.snapshot(env).clusters.map((c) => c.spec['init_scripts']);

  it('keeps DBFS where the operator says so, and points the cluster at that copy', async () => {
    const plan = await cli('plan', SEED_STYLE, '--env', 'legacy');
    expect(plan.out).toContain(
      "init scripts deploy to dbfs:/init-scripts/MyProject here, as BRICKLANE_LEGACY_INIT_SCRIPT_TARGET=dbfs chooses over bricklane.json's workspace (/Shared/MyProject/init-scripts); the references in clusters/small.json point at dbfs copies there",
    );
    const run = await cli('deploy', SEED_STYLE, '--env', 'legacy');
    expect(run.code, run.out).toBe(0);
    const snap = world.emulator.snapshot('legacy');
    expect(Object.keys(snap.dbfs)).toEqual(['dbfs:/init-scripts/MyProject/cluster-init.sh']);
    expect(snap.workspaceFiles).toEqual({});
    expect(initScriptsOf('legacy')).toEqual([
      [{ dbfs: { destination: 'dbfs:/init-scripts/MyProject/cluster-init.sh' } }],
    ]);
  });

  it('deploys workspace files where the app-wide setting says workspace', async () => {
    const run = await cli('deploy', SEED_STYLE, '--env', 'modern');
    expect(run.code, run.out).toBe(0);
    const snap = world.emulator.snapshot('modern');
    expect(Object.keys(snap.workspaceFiles)).toEqual(['/Shared/MyProject/init-scripts/cluster-init.sh']);
    expect(snap.dbfs).toEqual({});
    expect(initScriptsOf('modern')).toEqual([
      [{ workspace: { destination: '/Shared/MyProject/init-scripts/cluster-init.sh' } }],
    ]);
  });

  it('deploys to the Unity Catalog volume the setting names', async () => {
    const run = await cli('deploy', SEED_STYLE, '--env', 'uc');
    expect(run.code, run.out).toBe(0);
    const snap = world.emulator.snapshot('uc');
    expect(Object.keys(snap.volumeFiles)).toEqual([`${VOLUME}/init-scripts/cluster-init.sh`]);
    expect(snap.workspaceFiles).toEqual({});
    expect(initScriptsOf('uc')).toEqual([
      [{ volumes: { destination: `${VOLUME}/init-scripts/cluster-init.sh` } }],
    ]);
  });

  it('redeploys every environment with 0 writes', async () => {
    for (const env of ['legacy', 'modern', 'uc']) {
      world.emulator.resetCounters();
      const run = await cli('deploy', SEED_STYLE, '--env', env);
      expect(run.code, run.out).toBe(0);
      expect(world.emulator.counters(env).writes, env).toBe(0);
    }
  });

  it('plans and applies the same in the durable activities: nothing to change after the CLI deployed', async () => {
    const saved = { ...process.env };
    try {
      // The activities read their settings from the environment, as on the Functions host.
      Object.assign(process.env, settings());
      const storage = new ReleaseStorage(
        BlobServiceClient.fromConnectionString(world.azurite.connectionString),
      );
      const { bundleId } = await stageBundle(storage, SEED_STYLE);
      for (const environment of ['legacy', 'uc']) {
        const releaseId = `r-${environment}`;
        const plan = await planEnvironment({ releaseId, bundleId, environment });
        expect([environment, plan.changes]).toEqual([environment, 0]);
        world.emulator.resetCounters();
        for (const wave of ['initScripts', 'clusters'] as const) {
          const applied = await applyWave({ releaseId, bundleId, environment, wave, planId: plan.planId });
          expect(applied.drift, `${environment} ${wave}`).toBeUndefined();
          expect(applied.failed).toBe(0);
        }
        expect(world.emulator.counters(environment).writes).toBe(0);
      }
    } finally {
      process.env = saved;
    }
  });

  it('holds the choice to the roots: dbfs without DBFS roots is refused before any call', async () => {
    let out = '';
    world.emulator.resetCounters();
    const code = await runCli(['deploy', SEED_STYLE, '--env', 'legacy'], {
      env: { ...settings(), BRICKLANE_LEGACY_DBFS_INIT_SCRIPT_ROOTS: '' },
      stdout: (t) => (out += t),
      stderr: (t) => (out += t),
      cwd: process.cwd(),
    });
    expect(code).toBe(1);
    expect(out).toContain(
      'BRICKLANE_LEGACY_INIT_SCRIPT_TARGET=dbfs keeps init scripts on DBFS in legacy, but BRICKLANE_LEGACY_DBFS_INIT_SCRIPT_ROOTS allows no DBFS folder',
    );
    expect(world.emulator.counters().total).toBe(0);
  });

  it('refuses a setting that names no target, with the values it takes', async () => {
    let out = '';
    const code = await runCli(['validate', SEED_STYLE], {
      env: { ...settings(), BRICKLANE_MODERN_INIT_SCRIPT_TARGET: 'volume:/Shared/x' },
      stdout: (t) => (out += t),
      stderr: (t) => (out += t),
      cwd: process.cwd(),
    });
    expect(code).toBe(2);
    expect(out).toContain(
      'BRICKLANE_MODERN_INIT_SCRIPT_TARGET: "volume:/Shared/x" must name a Unity Catalog volume folder',
    );
  });
});
