// A full release that copies secrets, through the sandbox: the real function app on the local host stand-in,
// the durable replay, the emulated Azure (managed identity, Key Vault) and Databricks, Azurite. The secret scan:
// the value is in the workspace's scope and nowhere else: not in any orchestration history, custom status or
// output, host log, blob (ledger, stored plans, claims, staged bundle), status JSON or page. A second release
// writes nothing; after a new Key Vault version, the third writes exactly one secret.
import { BlobServiceClient } from '@azure/storage-blob';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReleaseStorage } from '../../src/azure/ReleaseStorage';
import type { ReleaseStatus } from '../../src/release/ReleaseStatus';
import { stageBundle } from '../../src/sources/stageBundle';
import { LocalWorld } from '../sandbox/LocalWorld';
import { SandboxApp } from '../sandbox/SandboxApp';
import { allBlobsText, latestVaultVersion, writeSecretsBundle } from './secretsBundle';

const VALUES = ['sandbox-secret-4c1d8e2f-a9b7-first', 'sandbox-secret-77e0c3d1-5f2a-second'] as const;

describe('a release that copies secrets from Key Vault', () => {
  let world: LocalWorld;
  let app: SandboxApp;
  let dir: string;
  const ids: string[] = [];

  beforeAll(async () => {
    world = await LocalWorld.start({ environments: ['dev'] });
    world.azure.setSecret(world.names('dev').keyVault, 'etl-db-password', VALUES[0]);
    app = await SandboxApp.start(world, {
      settings: { BRICKLANE_DEV_PERMISSIONS: 'group:data-engineers=READ' },
    });
    dir = writeSecretsBundle();
    mkdirSync(join(dir, 'notebooks'));
    writeFileSync(join(dir, 'notebooks', 'uses_secret.py'), '# Databricks notebook source\nprint(1)\n');
  });
  afterAll(async () => {
    await app?.stop();
    await world?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const release = async (): Promise<ReleaseStatus & { runtimeStatus: string }> => {
    const storage = new ReleaseStorage(
      BlobServiceClient.fromConnectionString(world.azurite.connectionString),
    );
    const { bundleId } = await stageBundle(storage, dir);
    // A new release per run: the same bundle again is the same release, so each run is a labelled re-run.
    const started = await app.call('POST', 'releases', { bundleId, rerun: `run-${ids.length + 1}` });
    expect(started.status).toBe(202);
    const id = (started.json as { releaseId: string }).releaseId;
    ids.push(id);
    const deadline = Date.now() + 30_000;
    let view = (await app.call('GET', `releases/${id}`)).json as ReleaseStatus & { runtimeStatus: string };
    while (view.runtimeStatus !== 'Completed' && view.runtimeStatus !== 'Failed' && Date.now() < deadline) {
      await new Promise((done) => setTimeout(done, 100));
      view = (await app.call('GET', `releases/${id}`)).json as ReleaseStatus & { runtimeStatus: string };
    }
    return view;
  };
  const workspace = () => world.emulator.workspace(world.workspaceName('dev') ?? '');

  it('deploys the scope, its ACL entry and the secret', async () => {
    const view = await release();
    expect([view.runtimeStatus, view.state], JSON.stringify(view)).toEqual(['Completed', 'succeeded']);
    expect(workspace().secrets.value('app', 'db-password')).toBe(VALUES[0]);
    expect(workspace().secrets.listAcls('app')).toContainEqual({
      principal: 'data-engineers',
      permission: 'READ',
    });
  });

  it('redeploys with 0 writes, and writes one secret after the Key Vault secret gets a new version', async () => {
    world.emulator.resetCounters();
    const again = await release();
    expect(again.state).toBe('succeeded');
    expect(world.emulator.counters().writes).toBe(0);

    world.azure.setSecret(world.names('dev').keyVault, 'etl-db-password', VALUES[1]);
    world.emulator.resetCounters();
    const rotated = await release();
    expect(rotated.state).toBe('succeeded');
    const { writes, byEndpoint } = world.emulator.counters();
    expect([writes, byEndpoint['2.0/secrets/put']]).toEqual([1, 1]);
    expect(workspace().secrets.value('app', 'db-password')).toBe(VALUES[1]);
  });

  it('ends a release whose Key Vault secret is missing failed, with the command that sets it, before any write', async () => {
    writeFileSync(
      join(dir, 'secrets', 'more.json'),
      JSON.stringify({ scope: 'more', keys: { token: 'never-set-in-the-vault' } }),
    );
    try {
      world.emulator.resetCounters();
      const view = await release();
      expect(view.state).toBe('failed');
      expect(JSON.stringify(view)).toContain(
        `az keyvault secret set --vault-name ${world.names('dev').keyVault} --name never-set-in-the-vault --value <value>`,
      );
      expect(world.emulator.counters().writes).toBe(0);
    } finally {
      rmSync(join(dir, 'secrets', 'more.json'));
    }
  });

  it('keeps every value out of histories, statuses, logs, blobs, status JSON and pages', async () => {
    expect(ids.length).toBe(4);
    const instances = app.host.durable.instances();
    const { text: blobs, count: blobCount } = await allBlobsText(world);
    const pages: string[] = [];
    for (const id of ids) {
      pages.push(JSON.stringify((await app.call('GET', `releases/${id}`)).json));
      pages.push(String((await app.call('GET', `releases/${id}?format=html`)).json));
    }
    const everything = JSON.stringify({
      histories: instances.map((i) => app.host.durable.history(i.instanceId)),
      statuses: instances,
      logs: app.host.logs,
      pages,
    });
    // The scan sees what it scans: the release ids, the plan blobs (stored plans name the secret key) and the
    // ledger's Key Vault version id are there.
    expect(blobCount).toBeGreaterThan(3);
    for (const id of ids) expect(everything).toContain(id);
    expect(blobs).toContain('secrets.app/db-password');
    // The audit trail is among the blobs scanned: each release's first record is there.
    for (const id of ids) expect(blobs).toMatch(new RegExp(`"id":"${id}/dev/started/`));
    const version = latestVaultVersion(world, world.names('dev').keyVault, 'etl-db-password');
    expect(blobs).toContain(version);
    for (const value of VALUES) {
      expect(everything).not.toContain(value);
      expect(blobs).not.toContain(value);
    }
  });
});
