// The approved plan is the applied plan, in the sandbox: QA's plan is computed and waits for approval, then a
// cluster of the QA workspace is resized "by hand" through the emulator. The approval of that plan applies
// nothing to the cluster, the stage reports the drift, and the release asks again on a fresh link whose
// page shows the new plan; the earlier link can no longer decide. Approving the new link completes it.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobServiceClient } from '@azure/storage-blob';
import { ReleaseStorage } from '../../src/azure/ReleaseStorage';
import { loadBundle } from '../../src/sources/loadBundle';
import type { ReleaseStatus, StageStatus } from '../../src/release/ReleaseStatus';
import { countsOf } from '../../src/release/compactStatus';
import { stageBundle } from '../../src/sources/stageBundle';
import { LocalWorld } from '../sandbox/LocalWorld';
import { SandboxApp } from '../sandbox/SandboxApp';

const ARTIFACTS = resolve(__dirname, '..', '..', 'artifacts');

type Stage = StageStatus & { approvalUrl?: string };
type Release = Omit<ReleaseStatus, 'stages'> & { runtimeStatus: string; stages: Stage[] };

describe('a workspace that moves between the approval and the apply', () => {
  let world: LocalWorld;
  let app: SandboxApp;
  let storage: ReleaseStorage;
  let changed: string;

  beforeAll(async () => {
    world = await LocalWorld.start({ environments: ['dev', 'qa'] });
    app = await SandboxApp.start(world);
    storage = new ReleaseStorage(BlobServiceClient.fromConnectionString(world.azurite.connectionString));
    changed = mkdtempSync(join(tmpdir(), 'bricklane-drift-'));
    cpSync(ARTIFACTS, changed, { recursive: true });
    const notebook = join(changed, 'notebooks', 'etl', 'ingest.py');
    writeFileSync(notebook, `${readFileSync(notebook, 'utf8')}\n# second release\n`);
  });
  afterAll(async () => {
    await app?.stop();
    await world?.stop();
    if (changed) rmSync(changed, { recursive: true, force: true });
  });

  const status = async (id: string): Promise<Release> =>
    (await app.call('GET', `releases/${id}`)).json as Release;
  const waitFor = async (id: string, predicate: (r: Release) => boolean, what: string): Promise<Release> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const r = await status(id);
      if (predicate(r)) return r;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(r)}`);
      await new Promise((done) => setTimeout(done, 100));
    }
  };
  const qa = (r: Release): Stage => r.stages.find((s) => s.environment === 'qa') as Stage;
  const decide = (url: string, decision: string): Promise<Response> =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `decision=${decision}`,
    });
  const release = async (dir: string): Promise<string> => {
    const { bundleId } = await stageBundle(storage, dir);
    const started = await app.call('POST', 'releases', { bundleId });
    expect(started.status).toBe(202);
    return (started.json as { releaseId: string }).releaseId;
  };
  const qaWorkspace = () => world.emulator.workspace(world.workspaceName('qa') ?? '');
  const small = (): { cluster_id: string; num_workers?: unknown } => {
    const found = qaWorkspace()
      .listClusters()
      .find((c) => c['cluster_name'] === 'Small');
    if (!found) throw new Error('no Small cluster in QA');
    return found as { cluster_id: string; num_workers?: unknown };
  };

  it('applies nothing to the moved cluster, reports the drift, asks again on a fresh link, then completes', async () => {
    // The first release puts artifacts/ into Dev and QA.
    const first = await release(ARTIFACTS);
    const waiting = await waitFor(first, (r) => qa(r).state === 'waiting', 'qa waiting (first release)');
    expect((await decide(qa(waiting).approvalUrl ?? '', 'approve')).status).toBe(200);
    await waitFor(first, (r) => r.runtimeStatus === 'Completed', 'first release');

    // The second release plans QA (one notebook changed, the clusters unchanged) and waits.
    const id = await release(changed);
    const asked = qa(await waitFor(id, (r) => qa(r).state === 'waiting', 'qa waiting'));
    const firstLink = asked.approvalUrl ?? '';
    // The status leaves out zero counts (compactStatus.ts); countsOf reads them as the pages do.
    expect(countsOf(asked.plan, 'clusters')).toMatchObject({ update: 0, unchanged: 3 });
    const firstPlan = asked.plans?.planned;
    expect(firstPlan).toMatch(/^[0-9a-f]{12}$/);

    // Someone resizes QA's Small cluster after the plan was shown.
    const loaded = await loadBundle(changed);
    // The bundle names Small's policy by name; the workspace's cluster holds its id, which the hand edit keeps.
    const { policy_name: _byName, ...spec } =
      loaded.bundle?.clusters.find((c) => c.name === 'Small')?.spec ?? {};
    const { cluster_id } = small();
    const { policy_id } = qaWorkspace().getCluster(cluster_id) ?? {};
    qaWorkspace().setClusterState(cluster_id, 'TERMINATED');
    qaWorkspace().clusters.edit({ ...spec, policy_id, cluster_id, num_workers: 5 } as never);
    world.emulator.resetCounters();

    expect((await decide(firstLink, 'approve')).status).toBe(200);
    const again = qa(
      await waitFor(
        id,
        (r) => qa(r).state === 'waiting' && qa(r).approvalUrl !== firstLink,
        'a new approval',
      ),
    );
    // Nothing was written to the cluster: no edit, and it keeps the size it was given by hand.
    const qaCounters = world.emulator.counters(world.workspaceName('qa'));
    expect(qaCounters.byEndpoint['2.1/clusters/edit'] ?? 0).toBe(0);
    expect(qaCounters.byEndpoint['2.1/clusters/create'] ?? 0).toBe(0);
    expect(small().num_workers).toBe(5);
    // The stage says what moved, and names the plans.
    expect(again.drift).toEqual([
      { key: 'clusters.Small', was: `id ${cluster_id} as planned`, now: 'num_workers changed' },
    ]);
    expect(again.message).toContain('clusters.Small');
    expect(again.message).toContain('the new plan needs a new approval');
    expect(again.plans).toMatchObject({ approved: firstPlan, replans: 1 });
    expect(again.plans?.planned).not.toBe(firstPlan);
    expect(again.plans?.applied).toBeUndefined();
    expect(countsOf(again.plan, 'clusters')).toMatchObject({ update: 1, unchanged: 2 });

    // A fresh link: the old one cannot approve the new plan; the new one shows it.
    const secondLink = again.approvalUrl ?? '';
    expect(secondLink).not.toBe(firstLink);
    expect((await decide(firstLink, 'approve')).status).toBe(410);
    const page = await (await fetch(secondLink)).text();
    // The new plan edits Small back, and says it was changed outside bricklane.
    expect(page).toMatch(/<span class="badge update">update<\/span><code>Small<\/code>/);
    expect(page).toContain('changed outside bricklane: num_workers');

    expect((await decide(secondLink, 'approve')).status).toBe(200);
    const done = await waitFor(id, (r) => r.runtimeStatus === 'Completed', 'completion');
    expect(done.state).toBe('succeeded');
    expect(qa(done).plans).toEqual({
      planned: again.plans?.planned,
      approved: again.plans?.planned,
      applied: again.plans?.planned,
      replans: 1,
    });
    expect(small().num_workers).toBe(1);
    // The status page names the plan approved and applied, and what moved before.
    const statusPage = String((await app.call('GET', `releases/${id}?format=html`)).json);
    expect(statusPage).toContain(
      `<dt>Applied plan</dt><dd><code class="plan-id">${again.plans?.planned ?? ''}</code> (the approved plan)</dd>`,
    );
    expect(statusPage).toContain(
      `<code>clusters.Small</code>: was id ${cluster_id} as planned, now num_workers changed`,
    );
    expect(app.host.durable.counters().nondeterministic).toBe(0);
  });
});
