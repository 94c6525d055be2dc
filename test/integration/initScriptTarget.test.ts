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
  /** The CLI with the world's settings, the operator's choices above, and `over`. */
  const cli = async (
    args: string[],
    over: Record<string, string> = {},
  ): Promise<{ code: number; out: string }> => {
    let out = '';
    const code = await runCli(args, {
      env: { ...settings(), ...over },
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

  /** Deploys the seed-style bundle to `env`: every file stored (workspace, DBFS, volumes) and what its cluster runs. */
  const deployTo = async (env: string): Promise<{ stored: string[]; runs: unknown[] }> => {
    const run = await cli(['deploy', SEED_STYLE, '--env', env]);
    expect(run.code, run.out).toBe(0);
    const snap = world.emulator.snapshot(env);
    return {
      stored: [
        ...Object.keys(snap.workspaceFiles),
        ...Object.keys(snap.dbfs),
        ...Object.keys(snap.volumeFiles),
      ],
      runs: snap.clusters.map((c) => c.spec['init_scripts']),
    };
  };

  it('keeps DBFS where the operator says so, and points the cluster at that copy', async () => {
    const plan = await cli(['plan', SEED_STYLE, '--env', 'legacy']);
    expect(plan.out).toContain(
      "init scripts deploy to dbfs:/init-scripts/MyProject here, as BRICKLANE_LEGACY_INIT_SCRIPT_TARGET=dbfs chooses over bricklane.json's workspace (/Shared/MyProject/init-scripts); the references in clusters/small.json point at dbfs copies there",
    );
    const script = 'dbfs:/init-scripts/MyProject/cluster-init.sh';
    expect(await deployTo('legacy')).toEqual({
      stored: [script],
      runs: [[{ dbfs: { destination: script } }]],
    });
  });

  it('deploys workspace files where the app-wide setting says workspace', async () => {
    const script = '/Shared/MyProject/init-scripts/cluster-init.sh';
    expect(await deployTo('modern')).toEqual({
      stored: [script],
      runs: [[{ workspace: { destination: script } }]],
    });
  });

  it('deploys to the Unity Catalog volume the setting names', async () => {
    const script = `${VOLUME}/init-scripts/cluster-init.sh`;
    expect(await deployTo('uc')).toEqual({
      stored: [script],
      runs: [[{ volumes: { destination: script } }]],
    });
  });

  it('redeploys every environment with 0 writes', async () => {
    for (const env of ['legacy', 'modern', 'uc']) {
      world.emulator.resetCounters();
      const run = await cli(['deploy', SEED_STYLE, '--env', env]);
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
    world.emulator.resetCounters();
    const { code, out } = await cli(['deploy', SEED_STYLE, '--env', 'legacy'], {
      BRICKLANE_LEGACY_DBFS_INIT_SCRIPT_ROOTS: '',
    });
    expect(code).toBe(1);
    expect(out).toContain(
      'BRICKLANE_LEGACY_INIT_SCRIPT_TARGET=dbfs keeps init scripts on DBFS in legacy, but BRICKLANE_LEGACY_DBFS_INIT_SCRIPT_ROOTS allows no DBFS folder',
    );
    expect(world.emulator.counters().total).toBe(0);
  });

  it('refuses a setting that names no target, with the values it takes', async () => {
    const { code, out } = await cli(['validate', SEED_STYLE], {
      BRICKLANE_MODERN_INIT_SCRIPT_TARGET: 'volume:/Shared/x',
    });
    expect(code).toBe(2);
    expect(out).toContain(
      'BRICKLANE_MODERN_INIT_SCRIPT_TARGET: "volume:/Shared/x" must name a Unity Catalog volume folder',
    );
  });
});
