// The whole release in the sandbox: the real function app (src/index.ts) on the local host stand-in,
// the real durable replay, the emulated Azure and Databricks, Azurite; approvals through the real routes.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobServiceClient } from '@azure/storage-blob';
import { SandboxApp } from '../sandbox/SandboxApp';
import { LocalWorld, SAMPLE_VAULT_SECRET } from '../sandbox/LocalWorld';
import { loadBundle } from '../../src/sources/loadBundle';
import { stageBundle } from '../../src/sources/stageBundle';
import { ReleaseStorage } from '../../src/azure/ReleaseStorage';
import type { Bundle } from '../../src/manifest/Bundle';
import type { ReleaseStatus } from '../../src/release/ReleaseStatus';
import { CUSTOM_STATUS_BUDGET_IN_BYTES } from '../../src/release/boundReleaseStatus';

const ARTIFACTS = resolve(__dirname, '..', '..', 'artifacts');

interface Stage {
  environment: string;
  state: string;
  approvalUrl?: string;
  approval?: { approver?: string; decision?: string };
}
interface Release {
  runtimeStatus: string;
  state: string;
  stages: Stage[];
}

describe('a release through the sandbox', () => {
  let world: LocalWorld;
  let app: SandboxApp;
  let bundle: Bundle;
  let releaseId = '';

  beforeAll(async () => {
    world = await LocalWorld.start({ environments: ['dev', 'qa', 'prod'] });
    app = await SandboxApp.start(world);
    const loaded = await loadBundle(ARTIFACTS);
    if (!loaded.bundle) throw new Error('artifacts/ is invalid');
    bundle = loaded.bundle;
  });
  afterAll(async () => {
    await app?.stop();
    await world?.stop();
  });

  const status = async (): Promise<Release> =>
    (await app.call('GET', `releases/${releaseId}`)).json as Release;
  const waitFor = async (predicate: (r: Release) => boolean, what: string): Promise<Release> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const r = await status();
      if (predicate(r)) return r;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(r)}`);
      await new Promise((done) => setTimeout(done, 100));
    }
  };
  const stage = (r: Release, env: string): Stage => r.stages.find((s) => s.environment === env) as Stage;
  const decide = (url: string, decision: string): Promise<Response> =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `decision=${decision}&comment=looks+good`,
    });
  const matchesBundle = (env: string): void => {
    const name = world.workspaceName(env);
    expect(name, env).toBeDefined();
    const snap = world.emulator.snapshot(name ?? '');
    expect(Object.keys(snap.notebooks).sort(), env).toEqual(bundle.notebooks.map((n) => n.target).sort());
    for (const n of bundle.notebooks) expect(snap.notebooks[n.target]?.sha256).toBe(n.sha256);
    expect(snap.clusters.map((c) => c.cluster_name).sort()).toEqual(
      bundle.clusters.map((c) => c.name).sort(),
    );
    expect(snap.jobs.map((j) => j.settings.name).sort()).toEqual(bundle.jobs.map((j) => j.name).sort());
    // The sample's secret scope holds the value of the environment's own Key Vault secret.
    const value = world.azure.vault(world.names(env).keyVault).getSecret(SAMPLE_VAULT_SECRET);
    expect(value, env).toBeDefined();
    expect(world.emulator.workspace(name ?? '').secrets.value('etl', 'db-password'), env).toBe(value);
  };

  it('deploys Dev without approval, then waits for QA', async () => {
    const storage = new ReleaseStorage(
      BlobServiceClient.fromConnectionString(world.azurite.connectionString),
    );
    const { bundleId } = await stageBundle(storage, ARTIFACTS);
    const started = await app.call('POST', 'releases', { bundleId });
    expect(started.status).toBe(202);
    releaseId = (started.json as { releaseId: string }).releaseId;
    const again = await app.call('POST', 'releases', { bundleId });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ releaseId, started: false });

    const r = await waitFor((x) => stage(x, 'qa')?.state === 'waiting', 'qa waiting');
    expect(stage(r, 'dev').state).toBe('succeeded');
    expect(stage(r, 'prod').state).toBe('pending');
    matchesBundle('dev');
    expect(world.workspaceName('qa')).toBeUndefined();
    // Dev's connection (its four service principal secrets) was resolved once, by provisionEnvironment,
    // and reused by every apply wave; qa's plan found no workspace yet, so it read no such secret. The sample
    // copies one secret (artifacts/secrets/etl.json): Dev read its Key Vault version when planning and again
    // in the secrets wave (the drift check), and its value once, to write it; qa's plan read its version.
    const reads = (env: string): number | undefined =>
      world.azure.findVault(world.names(env).keyVault)?.counters().reads;
    expect([reads('dev'), reads('qa')]).toEqual([4 + 3, 1]);
    expect(world.azure.counters().keyVault.reads).toBe(8);
  });

  it('shows the approval page on GET without deciding, and refuses a forged token', async () => {
    const r = await status();
    const url = stage(r, 'qa').approvalUrl ?? '';
    expect(url).toContain('/api/approvals/');
    const page = await fetch(url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('qa');
    expect(html).toMatch(/Approve/);
    expect(stage(await status(), 'qa').state).toBe('waiting');

    const [payload, mac] = url.slice(url.lastIndexOf('/') + 1).split('.');
    const forged = `${payload}.${(mac ?? '').slice(0, -2)}${(mac ?? '').endsWith('AA') ? 'BB' : 'AA'}`;
    const refused = await decide(url.replace(/[^/]+$/, forged), 'approve');
    expect(refused.status).toBe(403);
    expect(stage(await status(), 'qa').state).toBe('waiting');
  });

  it('deploys QA after an approval through the real route, and refuses a second decision', async () => {
    const url = stage(await status(), 'qa').approvalUrl ?? '';
    const answer = await decide(url, 'approve');
    expect(answer.status).toBe(200);
    const again = await decide(url, 'reject');
    expect(again.status).toBe(409);
    const r = await waitFor((x) => stage(x, 'prod')?.state === 'waiting', 'prod waiting');
    expect(stage(r, 'qa')).toMatchObject({ state: 'succeeded', approval: { decision: 'approve' } });
    matchesBundle('qa');
  });

  it('deploys Prod after its approval; all three workspaces match the bundle', async () => {
    const url = stage(await status(), 'prod').approvalUrl ?? '';
    expect((await decide(url, 'approve')).status).toBe(200);
    const r = await waitFor((x) => x.runtimeStatus === 'Completed', 'completion');
    expect(r.state).toBe('succeeded');
    for (const env of ['dev', 'qa', 'prod']) matchesBundle(env);
    // The sample release at its fullest (three stages planned, approved and applied) stays far under the
    // status budget, so nothing of it is condensed.
    const published = app.host.durable.status(releaseId)?.customStatus as ReleaseStatus;
    const size = JSON.stringify(published).length * 2;
    expect(size).toBeLessThan(CUSTOM_STATUS_BUDGET_IN_BYTES);
    expect(published.condensed).toBeUndefined();
    console.info(`custom status of the sample artifacts release: ${size} bytes (UTF-16)`);
    expect(app.host.durable.counters().nondeterministic).toBe(0);
    expect(app.host.durable.counters().replayChecks).toBeGreaterThan(0);
  });

  it('keeps every secret out of histories, custom status, outputs and logs', async () => {
    const secrets = ['dev', 'qa', 'prod'].flatMap((env) => {
      const vault = world.azure.vault(world.names(env).keyVault);
      // The service principal's secret, and the one the sample copies into its secret scope.
      return [
        vault.getSecret('databricks-dev-ops-client-secret') ?? '',
        vault.getSecret(SAMPLE_VAULT_SECRET) ?? '',
      ];
    });
    secrets.push(app.settings.BRICKLANE_APPROVAL_SIGNING_KEYS ?? '');
    expect(secrets.every((s) => s.length > 10)).toBe(true);
    const instances = app.host.durable.instances();
    expect(instances.length).toBeGreaterThanOrEqual(4);
    const everything = JSON.stringify({
      histories: instances.map((i) => app.host.durable.history(i.instanceId)),
      statuses: instances,
      logs: app.host.logs,
    });
    expect(everything).toContain(releaseId);
    for (const secret of secrets) expect(everything).not.toContain(secret);
    // No bearer token (JWT) either: Databricks, ARM and Key Vault tokens stay inside the activities.
    expect(everything).not.toMatch(/eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]+/);
  });

  /** Stages the bundle folder, starts a release of it and waits until the release completes. */
  const releaseToTheEnd = async (dir: string): Promise<{ id: string; view: ReleaseStatus }> => {
    const storage = new ReleaseStorage(
      BlobServiceClient.fromConnectionString(world.azurite.connectionString),
    );
    const { bundleId } = await stageBundle(storage, dir);
    const started = await app.call('POST', 'releases', { bundleId });
    expect(started.status).toBe(202);
    const id = (started.json as { releaseId: string }).releaseId;
    const deadline = Date.now() + 30_000;
    let view = (await app.call('GET', `releases/${id}`)).json as ReleaseStatus & { runtimeStatus: string };
    while (view.runtimeStatus !== 'Completed' && view.runtimeStatus !== 'Failed' && Date.now() < deadline) {
      await new Promise((done) => setTimeout(done, 100));
      view = (await app.call('GET', `releases/${id}`)).json as ReleaseStatus & { runtimeStatus: string };
    }
    expect(view.runtimeStatus).toBe('Completed');
    return { id, view };
  };

  it('ends a bundle that crosses the boundaries of any targeted environment "invalid", with 0 Databricks calls', async () => {
    // Issue 10: a job that runs as another user and hands ownership away, deployed to a user's home.
    const dir = mkdtempSync(join(tmpdir(), 'boundaries-'));
    mkdirSync(join(dir, 'notebooks'), { recursive: true });
    mkdirSync(join(dir, 'jobs'), { recursive: true });
    writeFileSync(join(dir, 'notebooks', 'payload.py'), '# Databricks notebook source\nprint(1)\n');
    writeFileSync(join(dir, 'bricklane.json'), JSON.stringify({ notebookRoot: '/Users/victim@contoso.com' }));
    writeFileSync(
      join(dir, 'jobs', 'evil.json'),
      JSON.stringify({
        name: 'evil_job',
        new_cluster: { spark_version: '15.4.x-scala2.12', node_type_id: 'Standard_DS3_v2', num_workers: 1 },
        notebook_task: { notebook_path: 'payload' },
        run_as: { user_name: 'ceo@contoso.com' },
        access_control_list: [{ user_name: 'mallory@evil.example', permission_level: 'IS_OWNER' }],
      }),
    );
    try {
      world.emulator.resetCounters();
      const { view } = await releaseToTheEnd(dir);
      expect(view.state).toBe('invalid');
      expect(view.message).toBe('3 problem(s) in the bundle; nothing was deployed');
      const items = (view.diagnostics?.items ?? []).join('\n');
      expect(items).toContain(
        'notebookRoot "/Users/victim@contoso.com" is outside the workspace folders allowed in dev, qa and prod',
      );
      expect(items).toContain('run_as "ceo@contoso.com" is not allowed');
      expect(items).toContain('grants IS_OWNER to user "mallory@evil.example"');
      expect(view.stages.map((s) => s.state)).toEqual(['skipped', 'skipped', 'skipped']);
      expect(world.emulator.counters().total).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ends a bundle with 30 name collisions "invalid", its custom status under 16 KB, all 30 problems shown', async () => {
    // a.py + a.sql pairs deploy to the same notebook: one TARGET_PATH_COLLISION each, with long paths.
    const dir = mkdtempSync(join(tmpdir(), 'collisions-'));
    const folder = join(dir, 'notebooks', 'analytics_team', 'daily_ingestion_pipelines');
    mkdirSync(folder, { recursive: true });
    for (let i = 0; i < 30; i++) {
      const name = `ingest_customer_orders_from_the_regional_sales_systems_step_${String(i).padStart(2, '0')}`;
      writeFileSync(join(folder, `${name}.py`), `print(${i})\n`);
      writeFileSync(join(folder, `${name}.sql`), `select ${i}\n`);
    }
    try {
      const { id, view } = await releaseToTheEnd(dir);
      expect(view.state).toBe('invalid');
      expect(view.message).toBe('30 problem(s) in the bundle; nothing was deployed');

      // What the orchestration published: the count and the first 5, within the extension's limit.
      const published = app.host.durable.status(id)?.customStatus as ReleaseStatus;
      const size = JSON.stringify(published).length * 2;
      expect(size).toBeLessThan(16 * 1024);
      expect(published.diagnostics?.count).toBe(30);
      expect(published.diagnostics?.items).toHaveLength(5);

      // The status JSON and page have every one of them, in full.
      expect(view.diagnostics?.count).toBe(30);
      const items = view.diagnostics?.items ?? [];
      expect(items).toHaveLength(30);
      for (const [i, item] of items.entries())
        expect(item).toContain(`step_${String(i).padStart(2, '0')}.py and notebooks/analytics_team`);
      // As the status once carried them (20 joined into its message), they alone were over the limit.
      expect(JSON.stringify(items.slice(0, 20).join('; ')).length * 2).toBeGreaterThan(16 * 1024);
      const page = await app.call('GET', `releases/${id}?format=html`);
      expect(page.status).toBe(200);
      const html = String(page.json);
      expect(html).toContain('Problems in the bundle (30)');
      expect(html.match(/both deploy to/g)).toHaveLength(30);
      expect(html).not.toContain('could not be read');
      console.info(`custom status of the 30-collision release: ${size} bytes (UTF-16)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
