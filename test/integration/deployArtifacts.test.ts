// The deploy engine end to end: the real CLI code, the real client, the emulator over HTTPS, Azurite.
import { cpSync, mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle } from '../../src/manifest/Bundle';
import { loadBundle } from '../../src/sources/loadBundle';
import { LocalWorld } from '../sandbox/LocalWorld';
import { runCliCaptured } from '../sandbox/runCliCaptured';
import { runCli } from '../../src/cli/runCli';
import { DatabricksEmulator } from '../emulator/DatabricksEmulator';

const ARTIFACTS = resolve(__dirname, '..', '..', 'artifacts');

async function load(dir: string): Promise<Bundle> {
  const loaded = await loadBundle(dir);
  if (!loaded.bundle) throw new Error(JSON.stringify(loaded.diagnostics));
  return loaded.bundle;
}

function copyArtifacts(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bricklane-artifacts-'));
  cpSync(ARTIFACTS, dir, { recursive: true });
  return dir;
}

describe('deploying artifacts/ to an emulated workspace', () => {
  let world: LocalWorld;
  let bundleDir: string;
  let bundle: Bundle;

  beforeAll(async () => {
    world = await LocalWorld.start({
      environments: ['dev', 'faulty', 'clean', 'resets', 'resets2', 'resets3', 'adopt', 'seed'],
      auth: 'token',
    });
    bundleDir = copyArtifacts();
    bundle = await load(bundleDir);
  });
  afterAll(async () => {
    await world?.stop();
    rmSync(bundleDir, { recursive: true, force: true });
  });

  it('creates exactly the bundle objects in an empty workspace', async () => {
    const run = await runCliCaptured(world, ['deploy', bundleDir, '--env', 'dev']);
    expect(run.stderr + run.stdout).not.toMatch(/FAILED/);
    expect(run.code).toBe(0);
    const snap = world.emulator.snapshot('dev');
    expect(Object.keys(snap.notebooks).sort()).toEqual(bundle.notebooks.map((n) => n.target).sort());
    for (const n of bundle.notebooks) {
      expect(snap.notebooks[n.target]?.sha256, n.target).toBe(n.sha256);
      if (n.language) expect(snap.notebooks[n.target]?.language).toBe(n.language);
    }
    const expectedFiles = [
      ...bundle.files,
      ...bundle.initScripts.filter((i) => !i.target.startsWith('dbfs:')),
    ];
    expect(snap.workspaceFiles).toEqual(Object.fromEntries(expectedFiles.map((f) => [f.target, f.sha256])));
    expect(snap.clusters.map((c) => c.cluster_name).sort()).toEqual(
      bundle.clusters.map((c) => c.name).sort(),
    );
    expect(snap.jobs.map((j) => j.settings.name).sort()).toEqual(bundle.jobs.map((j) => j.name).sort());
    // Seed lifecycle: what this deploy created is terminated afterwards.
    for (const c of snap.clusters) expect(['TERMINATED', 'TERMINATING']).toContain(c.state);
    expect(run.stdout).toMatch(/requests: \d+ \(\d+ writes\)/);
  });

  it('gives the seed-style 2.0 job the real cluster id of the cluster it names', () => {
    const snap = world.emulator.snapshot('dev');
    const ids = new Map(snap.clusters.map((c) => [c.cluster_name, c.cluster_id]));
    const seedJob = bundle.jobs.find((j) => j.source.includes('nightly'));
    expect(seedJob).toBeDefined();
    const live = snap.jobs.find((j) => j.settings.name === seedJob?.name);
    const tasks = live?.settings.tasks as { existing_cluster_id?: string; existing_cluster_name?: string }[];
    expect(tasks.length).toBeGreaterThan(0);
    for (const t of tasks.filter((x) => x.existing_cluster_id)) {
      expect([...ids.values()]).toContain(t.existing_cluster_id);
      expect(t.existing_cluster_name).toBeUndefined();
    }
    expect(tasks[0]?.existing_cluster_id).toBe(ids.get(seedJob?.clusterRefs[0] ?? ''));
  });

  it('makes zero writes on a second deploy', async () => {
    world.emulator.resetCounters();
    const run = await runCliCaptured(world, ['deploy', bundleDir, '--env', 'dev']);
    expect(run.code).toBe(0);
    expect(world.emulator.counters('dev').writes).toBe(0);
    expect(run.stdout).toMatch(/\(0 writes\)/);
  });

  it('leaves an unchanged RUNNING cluster running: no restart, no terminate', async () => {
    const dev = world.emulator.workspace('dev');
    const cluster = world.emulator.snapshot('dev').clusters[0];
    if (!cluster) throw new Error('no cluster');
    dev.clusters.setState(cluster.cluster_id, 'RUNNING');
    world.emulator.resetCounters();
    const run = await runCliCaptured(world, ['deploy', bundleDir, '--env', 'dev']);
    expect(run.code).toBe(0);
    const counters = world.emulator.counters('dev');
    expect(counters.writes).toBe(0);
    expect(counters.byEndpoint['2.1/clusters/edit'] ?? 0).toBe(0);
    expect(counters.byEndpoint['2.1/clusters/delete'] ?? 0).toBe(0);
    expect(dev.getCluster(cluster.cluster_id)?.state).toBe('RUNNING');
  });

  it('makes exactly one write when one notebook changes', async () => {
    const nb = bundle.notebooks.find((n) => n.format === 'SOURCE');
    if (!nb) throw new Error('no source notebook');
    appendFileSync(join(bundleDir, nb.source), '\n# changed by the test\n');
    world.emulator.resetCounters();
    const run = await runCliCaptured(world, ['deploy', bundleDir, '--env', 'dev']);
    expect(run.code).toBe(0);
    const counters = world.emulator.counters('dev');
    expect(counters.writes).toBe(1);
    expect(counters.byEndpoint['2.0/workspace/import']).toBe(1);
    const updated = await load(bundleDir);
    const target = updated.notebooks.find((n) => n.key === nb.key);
    expect(world.emulator.snapshot('dev').notebooks[nb.target]?.sha256).toBe(target?.sha256);
  });

  it('reports every problem of an invalid bundle and makes zero calls', async () => {
    const bad = copyArtifacts();
    try {
      writeFileSync(join(bad, 'clusters', 'broken.json'), '{ "cluster_name": ');
      writeFileSync(
        join(bad, 'jobs', 'orphan.json'),
        JSON.stringify({
          name: 'orphan',
          existing_cluster_id: 'no-such-cluster',
          notebook_task: { notebook_path: 'etl/ingest' },
        }),
      );
      writeFileSync(join(bad, 'notebooks', 'etl', 'ingest.sql'), '-- Databricks notebook source\nSELECT 1\n');
      world.emulator.resetCounters();
      const run = await runCliCaptured(world, ['deploy', bad, '--env', 'dev']);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/nothing was deployed/);
      expect(run.stdout).toMatch(/broken\.json/);
      expect(run.stdout).toMatch(/orphan\.json/);
      expect(run.stdout).toMatch(/ingest/);
      expect(world.emulator.counters().total).toBe(0);
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });

  it('refuses a bundle that crosses the default boundaries, naming every crossing, and makes zero calls', async () => {
    // Issue 10: each of these reached jobs/create or workspace/import in Dev.
    const bad = copyArtifacts();
    try {
      writeFileSync(
        join(bad, 'bricklane.json'),
        JSON.stringify({
          notebookRoot: '/Users/victim@contoso.com',
          initScriptTarget: 'dbfs',
          initScriptRoot: 'dbfs:/databricks/init',
        }),
      );
      writeFileSync(
        join(bad, 'jobs', 'evil.json'),
        JSON.stringify({
          name: 'evil_job',
          existing_cluster_name: 'Small',
          notebook_task: { notebook_path: 'etl/ingest' },
          run_as: { user_name: 'ceo@contoso.com' },
          access_control_list: [{ user_name: 'mallory@evil.example', permission_level: 'IS_OWNER' }],
          git_source: {
            git_url: 'https://github.com/evil/payload',
            git_provider: 'gitHub',
            git_branch: 'main',
          },
        }),
      );
      writeFileSync(
        join(bad, 'clusters', 'evil.json'),
        JSON.stringify({
          cluster_name: 'Evil',
          spark_version: '15.4.x-scala2.12',
          node_type_id: 'Standard_DS3_v2',
          num_workers: 1,
          init_scripts: [{ dbfs: { destination: 'dbfs:/databricks/init/evil.sh' } }],
        }),
      );
      world.emulator.resetCounters();
      const run = await runCliCaptured(world, ['deploy', bad, '--env', 'dev', '--json']);
      expect(run.code).toBe(1);
      const out = JSON.parse(run.stdout) as { valid: boolean; diagnostics: { code?: string }[] };
      expect(out.valid).toBe(false);
      expect(out.diagnostics.map((d) => d.code).filter((c) => c?.startsWith('BOUNDARY_'))).toEqual([
        'BOUNDARY_WORKSPACE_ROOT',
        'BOUNDARY_DBFS_INIT_SCRIPTS',
        'BOUNDARY_INIT_SCRIPT',
        'BOUNDARY_RUN_AS',
        'BOUNDARY_IS_OWNER',
        'BOUNDARY_GIT_SOURCE',
        'BOUNDARY_GIT_SOURCE_UNPINNED',
        'BOUNDARY_GIT_SOURCE_UNPINNED',
      ]);
      expect(world.emulator.counters().total).toBe(0);
      // validate holds it to every configured environment, with no workspace at all.
      const validated = await runCliCaptured(world, ['validate', bad]);
      expect(validated.code).toBe(1);
      expect(validated.stdout).toContain(
        'allowed in dev, faulty, clean, resets, resets2, resets3, adopt and seed',
      );
      expect(world.emulator.counters().total).toBe(0);
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });

  it('deploys the seed-style bundle inside the default boundaries', async () => {
    const seedStyle = resolve(__dirname, '..', 'fixtures', 'bundles', 'seed-style');
    const run = await runCliCaptured(world, ['deploy', seedStyle, '--env', 'seed']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const snap = world.emulator.snapshot('seed');
    expect(Object.keys(snap.notebooks)).toEqual(['/Shared/MyProject/MyProject/hello']);
    expect(Object.keys(snap.workspaceFiles)).toEqual(['/Shared/MyProject/init-scripts/cluster-init.sh']);
    expect(snap.clusters.map((c) => c.spec['init_scripts'])).toEqual([
      [{ workspace: { destination: '/Shared/MyProject/init-scripts/cluster-init.sh' } }],
    ]);
  });

  it('adopts a notebook bricklane did not deploy only where the operator allows it', async () => {
    const target = bundle.notebooks.find((n) => n.source === 'notebooks/etl/ingest.py')?.target ?? '';
    const theirs = '# Databricks notebook source\nprint("someone else\'s")\n';
    const call = (path: string, body: object): Promise<Response> =>
      fetch(`${world.emulator.workspaceUrl('adopt')}/api/2.0/${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${DatabricksEmulator.defaultToken}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      });
    expect((await call('workspace/mkdirs', { path: target.slice(0, target.lastIndexOf('/')) })).status).toBe(
      200,
    );
    const imported = await call('workspace/import', {
      path: target,
      format: 'SOURCE',
      language: 'PYTHON',
      content: Buffer.from(theirs).toString('base64'),
    });
    expect(imported.status).toBe(200);
    const theirHash = createHash('sha256').update(theirs).digest('hex');
    expect(world.emulator.snapshot('adopt').notebooks[target]?.sha256).toBe(theirHash);

    const plan = await runCliCaptured(world, ['plan', bundleDir, '--env', 'adopt']);
    expect(plan.stdout).toContain(
      `! notebooks.${target}: exists in the workspace but bricklane did not deploy it`,
    );
    const refused = await runCliCaptured(world, ['deploy', bundleDir, '--env', 'adopt']);
    expect(refused.code).toBe(1);
    expect(refused.stdout + refused.stderr).toContain('set BRICKLANE_ADOPT_ADOPT_EXISTING=true');
    expect(world.emulator.snapshot('adopt').notebooks[target]?.sha256).toBe(theirHash);

    let stdout = '';
    const allowed = await runCli(['deploy', bundleDir, '--env', 'adopt'], {
      env: { ...world.settings(), BRICKLANE_ADOPT_ADOPT_EXISTING: 'true' },
      stdout: (t) => (stdout += t),
      stderr: () => undefined,
      cwd: process.cwd(),
    });
    expect(allowed, stdout).toBe(0);
    const ours = (await load(bundleDir)).notebooks.find((n) => n.target === target)?.sha256;
    expect(world.emulator.snapshot('adopt').notebooks[target]?.sha256).toBe(ours);
  });

  it('ends in the same state under injected faults as a clean deploy, without duplicates', async () => {
    world.emulator.faults({
      errorRate5xx: 0.1,
      rate429: 0.05,
      resetRate: 0.03,
      retryAfterSeconds: 0.05,
      workspaces: ['faulty'],
      seed: 7,
    });
    const faulty = await runCliCaptured(world, ['deploy', bundleDir, '--env', 'faulty']);
    const injected = world.emulator.counters('faulty').faults;
    world.emulator.clearFaults();
    const clean = await runCliCaptured(world, ['deploy', bundleDir, '--env', 'clean']);
    expect(clean.code).toBe(0);
    expect(faulty.stderr + faulty.stdout).not.toMatch(/FAILED/);
    expect(faulty.code).toBe(0);
    expect(injected).toBeGreaterThan(5);
    const a = world.emulator.snapshot('faulty');
    const b = world.emulator.snapshot('clean');
    expect(a.notebooks).toEqual(b.notebooks);
    expect(a.workspaceFiles).toEqual(b.workspaceFiles);
    expect(a.dbfs).toEqual(b.dbfs);
    // Policy ids differ per workspace: a cluster's policy compares by the policy's name.
    const shape = (s: typeof a, env: string): unknown => {
      const policies = new Map(
        world.emulator
          .workspace(env)
          .policies.list()
          .map((p) => [p['policy_id'], p['name']]),
      );
      return {
        clusters: s.clusters
          .map((c) => ({
            name: c.cluster_name,
            spec:
              c.spec['policy_id'] === undefined
                ? c.spec
                : { ...c.spec, policy_id: policies.get(c.spec['policy_id']) },
          }))
          .sort((x, y) => x.name.localeCompare(y.name)),
        jobs: s.jobs.map((j) => j.settings.name).sort(),
        policies: [...policies.values()].sort(),
      };
    };
    expect(shape(a, 'faulty')).toEqual(shape(b, 'clean'));
    expect(a.clusters).toHaveLength(bundle.clusters.length);
    expect(a.jobs).toHaveLength(bundle.jobs.length);
  });

  it.each([
    { endpoint: '2.1/clusters/create', env: 'resets' },
    { endpoint: '2.2/jobs/create', env: 'resets2' },
  ])('creates no twin when $endpoint is applied but its answer is lost', async ({ endpoint, env }) => {
    world.emulator.faults({
      endpoints: [endpoint],
      workspaces: [env],
      sequence: ['reset-after', 'reset-after'],
    });
    const run = await runCliCaptured(world, ['deploy', bundleDir, '--env', env]);
    world.emulator.clearFaults();
    expect(run.stdout).not.toMatch(/FAILED/);
    expect(run.code).toBe(0);
    const snap = world.emulator.snapshot(env);
    expect(snap.clusters.map((c) => c.cluster_name).sort()).toEqual(
      bundle.clusters.map((c) => c.name).sort(),
    );
    expect(snap.jobs.map((j) => j.settings.name).sort()).toEqual(bundle.jobs.map((j) => j.name).sort());
    expect(world.emulator.counters(env).faults).toBe(2);
  });

  it('creates no twin policy when policies/clusters/create is applied but its answer is lost', async () => {
    world.emulator.faults({
      endpoints: ['2.0/policies/clusters/create'],
      workspaces: ['resets3'],
      sequence: ['reset-after'],
    });
    const run = await runCliCaptured(world, ['deploy', bundleDir, '--env', 'resets3']);
    world.emulator.clearFaults();
    expect(run.stdout).not.toMatch(/FAILED/);
    expect(run.code).toBe(0);
    expect(
      world.emulator
        .workspace('resets3')
        .policies.list()
        .map((p) => p['name']),
    ).toEqual(bundle.policies.map((p) => p.name));
    expect(world.emulator.counters('resets3').faults).toBe(1);
  });
});

describe('against a workspace that reports server-filled cluster fields', () => {
  it('still sees unchanged clusters as unchanged: a second deploy makes zero writes (databricks/cli#3286)', async () => {
    const world = await LocalWorld.start({ auth: 'token', emulator: { clusterServerDefaults: true } });
    try {
      expect((await runCliCaptured(world, ['deploy', ARTIFACTS, '--env', 'dev'])).code).toBe(0);
      const info = world.emulator.workspace('dev').listClusters()[0];
      expect(info).toHaveProperty('driver_node_type_id');
      world.emulator.resetCounters();
      const again = await runCliCaptured(world, ['deploy', ARTIFACTS, '--env', 'dev']);
      expect(again.code).toBe(0);
      expect(world.emulator.counters('dev').writes).toBe(0);
    } finally {
      await world.stop();
    }
  });
});
