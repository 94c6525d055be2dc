// The three ways the outside world starts a release, end to end in the sandbox: a signed GitHub push,
// an Azure Repos service hook (the zip fetched with the app's Entra token), and a bundle uploaded to
// the bundles container (Event Grid -> blob trigger). Each one deploys Dev.
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxApp } from '../sandbox/SandboxApp';
import { LocalWorld } from '../sandbox/LocalWorld';
import { startSourceHosts, triggerRelease, type TriggerKind } from '../sandbox/triggerRelease';
import type { SourceHostEmulator } from '../emulator/SourceHostEmulator';

const ARTIFACTS = resolve(__dirname, '..', '..', 'artifacts');

interface Release {
  runtimeStatus: string;
  state: string;
  source: { kind: string; commit?: string };
}

describe('releases started by pushes and uploads', () => {
  let world: LocalWorld;
  let sources: SourceHostEmulator;
  let commit: string;
  let app: SandboxApp;

  beforeAll(async () => {
    world = await LocalWorld.start({ environments: ['dev'] });
    const hosts = await startSourceHosts(ARTIFACTS);
    sources = hosts.sources;
    commit = hosts.commit;
    app = await SandboxApp.start(world, { settings: hosts.settings });
  });
  afterAll(async () => {
    await app?.stop();
    await sources?.stop();
    await world?.stop();
  });

  const finished = async (releaseId: string): Promise<Release> => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const r = (await app.call('GET', `releases/${releaseId}`)).json as Release;
      if (['Completed', 'Failed', 'Terminated'].includes(r.runtimeStatus)) return r;
      if (Date.now() > deadline) throw new Error(`release ${releaseId} did not finish: ${JSON.stringify(r)}`);
      await new Promise((done) => setTimeout(done, 200));
    }
  };
  const devNotebooks = (): number =>
    Object.keys(world.emulator.snapshot(world.workspaceName('dev') ?? '').notebooks).length;

  it.each<{ via: TriggerKind; kind: string; firstDeploy: boolean }>([
    { via: 'github', kind: 'github', firstDeploy: true },
    { via: 'azure-repos', kind: 'azureRepos', firstDeploy: false },
    { via: 'upload', kind: 'upload', firstDeploy: false },
  ])('deploys Dev from $via', async ({ via, kind, firstDeploy }) => {
    world.emulator.resetCounters();
    const releaseId = await triggerRelease(via, app, world, sources, commit, ARTIFACTS);
    const release = await finished(releaseId);
    expect(release).toMatchObject({ state: 'succeeded', source: { kind, commit } });
    expect(devNotebooks()).toBe(7);
    // The first release creates everything; the same content again writes nothing.
    if (firstDeploy) expect(world.emulator.counters().writes).toBeGreaterThan(0);
    else expect(world.emulator.counters().writes).toBe(0);
  });

  it('fetched each source the way the real services are reached', () => {
    expect(sources.countersOf('github').total).toBeGreaterThan(0);
    expect(sources.countersOf('codeload').total).toBeGreaterThan(0);
    // No Authorization header follows GitHub's redirect to the archive host.
    expect(sources.requestsTo('codeload').every((r) => r.authorization === undefined)).toBe(true);
    // The app's managed identity fetched the Azure Repos zip with its Entra token.
    expect(
      sources
        .requestsTo('azureDevOps')
        .some((r) => r.authorization?.startsWith('Bearer ') && r.status === 200),
    ).toBe(true);
  });
});
