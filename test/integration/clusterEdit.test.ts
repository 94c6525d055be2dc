// The clusters wave edits a cluster in the state the wave's clusters/list gave it: a listed RUNNING or
// TERMINATED cluster costs its clusters/edit and no clusters/get; one listed PENDING or RESTARTING is read
// (clusters/get) until it is editable, then edited (Clusters API 2.1 "edit": RUNNING or TERMINATED only).
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyClusters } from '../../src/activities/engine/applyClusters';
import { readLiveState } from '../../src/activities/engine/readLiveState';
import { DatabricksWorkspaceClient } from '../../src/databricks/DatabricksWorkspaceClient';
import { StaticTokenCredential } from '../../src/databricks/StaticTokenCredential';
import type { Bundle } from '../../src/manifest/Bundle';
import { computePlan } from '../../src/planning/computePlan';
import { emptyLedger } from '../../src/planning/Ledger';
import { loadBundle } from '../../src/sources/loadBundle';
import type { ClusterState } from '../emulator/ClusterStore';
import { DatabricksEmulator } from '../emulator/DatabricksEmulator';

const SPEC = {
  cluster_name: 'Small',
  spark_version: '15.4.x-scala2.12',
  node_type_id: 'Standard_DS3_v2',
  autotermination_minutes: 30,
};

describe('editing a cluster in the state clusters/list gave it', () => {
  let emulator: DatabricksEmulator;
  let dir: string;
  let bundle: Bundle;

  beforeAll(async () => {
    emulator = await DatabricksEmulator.start({ rateLimits: false, clusterTransitionInMs: 150 });
    dir = mkdtempSync(join(tmpdir(), 'bricklane-cluster-edit-'));
    mkdirSync(join(dir, 'clusters'));
    writeFileSync(join(dir, 'clusters', 'small.json'), JSON.stringify({ ...SPEC, num_workers: 2 }));
    const loaded = await loadBundle(dir);
    if (!loaded.bundle) throw new Error(JSON.stringify(loaded.diagnostics));
    bundle = loaded.bundle;
  });
  afterAll(async () => {
    await emulator?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A workspace holding Small with one worker in `state`; the bundle's two workers are planned and applied. */
  async function edit(workspace: string, state: ClusterState) {
    const ws = await emulator.addWorkspace(workspace);
    const id = ws.createCluster({ ...SPEC, num_workers: 1 }, state);
    const client = new DatabricksWorkspaceClient(
      emulator.workspaceUrl(workspace),
      new StaticTokenCredential(DatabricksEmulator.defaultToken),
    );
    const live = await readLiveState(client, bundle, ['clusters']);
    const plan = computePlan(bundle, live, emptyLedger(workspace));
    expect(plan.steps.map((s) => [s.key, s.action])).toEqual([['clusters.Small', 'update']]);
    emulator.resetCounters();
    const outcomes = await applyClusters(
      {
        client,
        bundle,
        ledger: emptyLedger(workspace),
        now: () => new Date().toISOString(),
        concurrency: 4,
        clusterWaitTimeoutInMs: 10_000,
        clusterPollIntervalInMs: 20,
      },
      workspace,
      plan.steps,
      live,
    );
    expect(outcomes.map((o) => [o.key, o.status, o.message])).toEqual([
      ['clusters.Small', 'done', undefined],
    ]);
    expect(ws.getCluster(id)?.['num_workers']).toBe(2);
    return emulator.counters(workspace).byEndpoint;
  }

  it.each(['RUNNING', 'TERMINATED'] as const)(
    'edits a listed %s cluster with no clusters/get',
    async (state) => {
      const calls = await edit(`listed-${state.toLowerCase()}`, state);
      expect(calls).toEqual({ '2.1/clusters/edit': 1 });
    },
  );

  it.each(['PENDING', 'RESTARTING'] as const)(
    'waits for a listed %s cluster to be RUNNING before editing it',
    async (state) => {
      const calls = await edit(`listed-${state.toLowerCase()}`, state);
      expect(calls['2.1/clusters/edit']).toBe(1);
      // At least one read saw it still starting (150 ms transitions, 20 ms polls), and a later one RUNNING.
      expect(calls['2.1/clusters/get']).toBeGreaterThanOrEqual(2);
    },
  );
});
