// End to end in the sandbox (the real app, the local Durable host, the emulated Azure and Databricks): each
// permanent failure kind ends the release at once as data. The stage is failed with its message and its fix,
// the environment's channel gets a notice with the fix, and the failing activity ran ONCE: no retries (the
// retry policy would take about 75 s over five attempts) and no failed task in any history.
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BlobServiceClient } from '@azure/storage-blob';
import { ReleaseStorage } from '../../src/azure/ReleaseStorage';
import { loadSettings } from '../../src/config/loadSettings';
import { releaseInputFor } from '../../src/release/releaseInputFor';
import type { ReleaseStatus } from '../../src/release/ReleaseStatus';
import { stageBundle } from '../../src/sources/stageBundle';
import { HttpsEndpoint } from '../emulator/HttpsEndpoint';
import { clientFor } from '../orchestration/fixtures/releaseHarness';
import { EventType, type HistoryEvent } from '../sandbox/host/HistoryEvent';
import { LocalWorld, SANDBOX_SUBSCRIPTION, type LocalWorldOptions } from '../sandbox/LocalWorld';
import { SandboxApp } from '../sandbox/SandboxApp';

const ARTIFACTS = resolve(__dirname, '..', '..', 'artifacts');
const FINAL = ['Completed', 'Failed', 'Terminated'];

interface Release extends ReleaseStatus {
  runtimeStatus: string;
}

let world: LocalWorld | undefined;
let app: SandboxApp | undefined;
let hook: HttpsEndpoint | undefined;
const notices: string[] = [];

afterEach(async () => {
  await app?.stop();
  await world?.stop();
  await hook?.stop();
  app = undefined;
  world = undefined;
  hook = undefined;
  notices.length = 0;
});

/** A world, an app on it with a notification webhook for dev, and the artifacts bundle staged. */
async function start(
  options: LocalWorldOptions,
  settings: Record<string, string> = {},
  breakWorld: (w: LocalWorld) => void = () => undefined,
): Promise<{ bundleId: string }> {
  hook = await HttpsEndpoint.start((request) => {
    notices.push((JSON.parse(request.body.toString('utf8')) as { text: string }).text);
    return { status: 200 };
  });
  world = await LocalWorld.start(options);
  breakWorld(world);
  app = await SandboxApp.start(world, {
    settings: { BRICKLANE_DEV_NOTIFY_URL: `${hook.url}/hook`, ...settings },
  });
  const storage = new ReleaseStorage(BlobServiceClient.fromConnectionString(world.azurite.connectionString));
  return stageBundle(storage, ARTIFACTS);
}

async function released(releaseId: string): Promise<Release> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const release = (await app?.call('GET', `releases/${releaseId}`))?.json as Release;
    if (FINAL.includes(release.runtimeStatus)) return release;
    if (Date.now() > deadline) throw new Error(`release still running: ${JSON.stringify(release)}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

async function releaseBundle(bundleId: string): Promise<Release> {
  const started = await app?.call('POST', 'releases', { bundleId });
  expect(started?.status).toBe(202);
  return released((started?.json as { releaseId: string }).releaseId);
}

/** Every history of the release: its own and its sub-orchestrations'. */
function histories(releaseId: string): HistoryEvent[] {
  return instanceHistories(releaseId).flat();
}

/** The release's history and each of its sub-orchestrations' (EventIds are per instance). */
function instanceHistories(releaseId: string): HistoryEvent[][] {
  const host = app?.host;
  if (!host) return [];
  const own = host.durable.history(releaseId);
  const subs = own
    .filter((e) => e.EventType === EventType.SubOrchestrationInstanceCreated)
    .map((e) => host.durable.history(e.InstanceId ?? ''));
  return [own, ...subs];
}

/** The activities that answered with a permanent failure, and how often each activity was scheduled. */
function attempts(releaseId: string): { failedSteps: string[]; scheduled: Record<string, number> } {
  const scheduled: Record<string, number> = {};
  const failedSteps: string[] = [];
  for (const events of instanceHistories(releaseId)) {
    const names = new Map<number, string>();
    for (const e of events) {
      if (e.EventType !== EventType.TaskScheduled) continue;
      scheduled[e.Name ?? ''] = (scheduled[e.Name ?? ''] ?? 0) + 1;
      names.set(e.EventId, e.Name ?? '');
    }
    expect(events.filter((e) => e.EventType === EventType.TaskFailed)).toEqual([]);
    failedSteps.push(
      ...events
        .filter((e) => e.EventType === EventType.TaskCompleted && (e.Result ?? '').includes('"ok":false'))
        .map((e) => names.get(e.TaskScheduledId ?? -1) ?? '?'),
    );
  }
  return { failedSteps, scheduled };
}

function expectFailedStage(release: Release, environment: string, code: string, fix: string | RegExp): void {
  expect(release.runtimeStatus).toBe('Completed');
  expect(release.state).toBe('failed');
  expect(release.message).toBe(`${environment} failed (${code}); fix it and re-run the release`);
  const stage = release.stages.find((s) => s.environment === environment);
  expect(stage?.state).toBe('failed');
  if (typeof fix === 'string') expect(stage?.fix).toBe(fix);
  else expect(stage?.fix).toMatch(fix);
}

describe('a permanent failure ends the release in one attempt, with its fix and a notice', () => {
  it('a Key Vault secret that is missing', async () => {
    const { bundleId } = await start({ auth: 'keyVaultServicePrincipal' }, {}, (w) => {
      expect(w.azure.vault('KeyVault-MyProject-Dev').deleteSecret('databricks-dev-ops-client-secret')).toBe(
        true,
      );
    });
    const release = await releaseBundle(bundleId);
    const fix =
      'az keyvault secret set --vault-name KeyVault-MyProject-Dev --name databricks-dev-ops-client-secret --value <value>';
    expectFailedStage(release, 'dev', 'SecretNotFound', fix);
    expect(release.stages[0]?.message).toContain('Key Vault KeyVault-MyProject-Dev has no secret');
    const { failedSteps, scheduled } = attempts(release.releaseId);
    expect(failedSteps).toHaveLength(1);
    expect(scheduled[failedSteps[0] ?? '']).toBe(1);
    expect(notices).toEqual([expect.stringContaining(`Fix: ${fix}.`)]);
    expect(world?.emulator.counters().writes).toBe(0);
    // Its status link is read in a chat, without the function key: a signed view link that opens.
    const link = /Status: (\S+)$/.exec(notices[0] ?? '')?.[1] ?? '';
    expect(link).toMatch(/\/api\/views\/[^/?]+$/);
    const page = await fetch(link, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('SecretNotFound');
  });

  it('an Azure role that is missing', async () => {
    const { bundleId } = await start({ auth: 'managedIdentity', grantRoles: false }, {}, (w) => {
      w.azure.assignRole(
        w.azure.managedIdentityPrincipalId,
        `Bricklane Resource Group Writer (${SANDBOX_SUBSCRIPTION})`,
        `/subscriptions/${SANDBOX_SUBSCRIPTION}`,
      );
    });
    const release = await releaseBundle(bundleId);
    const mi = world?.azure.managedIdentityPrincipalId ?? '';
    const scope = `/subscriptions/${SANDBOX_SUBSCRIPTION}/resourceGroups/Databricks-MyProject-Dev`;
    const fix = `az role assignment create --assignee-object-id ${mi} --assignee-principal-type ServicePrincipal --role "Contributor" --scope ${scope}`;
    expectFailedStage(release, 'dev', 'AuthorizationFailed', fix);
    const { failedSteps, scheduled } = attempts(release.releaseId);
    expect(failedSteps).toHaveLength(1);
    expect(scheduled[failedSteps[0] ?? '']).toBe(1);
    expect(notices).toEqual([expect.stringContaining(`Fix: ${fix}.`)]);
    expect(world?.azure.snapshot().workspaces).toEqual([]);
  });

  it('a workspace URL that does not resolve', async () => {
    const url = 'https://adb-0000000000000000.0.azuredatabricks.invalid';
    const { bundleId } = await start({ auth: 'token' }, { BRICKLANE_DEV_WORKSPACE_URL: url });
    const release = await releaseBundle(bundleId);
    expectFailedStage(release, 'dev', 'WorkspaceUnreachable', /BRICKLANE_<ENV>_WORKSPACE_URL/);
    expect(release.stages[0]?.message).toContain('ENOTFOUND');
    const { failedSteps, scheduled } = attempts(release.releaseId);
    expect(failedSteps).toEqual(['planEnvironment']);
    expect(scheduled.planEnvironment).toBe(1);
    expect(notices).toEqual([expect.stringContaining('WORKSPACE_URL')]);
  });

  it('a setting that no longer holds: the environment was removed while the release ran', async () => {
    const { bundleId } = await start(
      { auth: 'token', environments: ['dev', 'qa'] },
      { BRICKLANE_ENVIRONMENTS: 'dev' },
    );
    // The release was started while qa was still configured (its input names both environments).
    const configured = loadSettings(world?.settings() ?? {});
    const input = releaseInputFor(configured, { bundleId, source: { kind: 'manual' } });
    input.approvals = {
      dev: { required: false, timeoutInHours: 1 },
      qa: { required: false, timeoutInHours: 1 },
    };
    await clientFor(app?.host as SandboxApp['host']).startNew('deployRelease', {
      instanceId: input.releaseId,
      input,
    });
    const release = await released(input.releaseId);
    expectFailedStage(release, 'qa', 'InvalidSettings', /^correct the app settings named in the message/);
    expect(release.stages.map((s) => s.state)).toEqual(['succeeded', 'failed']);
    expect(release.stages[1]?.message).toContain('environment "qa" is not configured');
    const { failedSteps, scheduled } = attempts(release.releaseId);
    expect(failedSteps).toEqual(['planEnvironment']);
    expect(scheduled.planEnvironment).toBe(2);
    // dev's channel heard that dev succeeded; qa has no channel (it is not configured any more), but the
    // notice was attempted: the orchestration scheduled it.
    expect(notices).toEqual([expect.stringContaining('dev succeeded')]);
    const notify = histories(input.releaseId).filter(
      (e) =>
        e.EventType === EventType.TaskScheduled && e.Name === 'notify' && (e.Input ?? '').includes('"qa"'),
    );
    expect(notify.map((e) => JSON.parse(e.Input ?? '{}') as { state?: string })).toMatchObject([
      { state: 'failed' },
    ]);
  });
});

describe('a release that ended outside its own code', () => {
  it('Terminated while qa waits: GET shows every stage in JSON and on the page, in plain words', async () => {
    const { bundleId } = await start({ auth: 'token', environments: ['dev', 'qa'] });
    const started = await app?.call('POST', 'releases', { bundleId });
    const releaseId = (started?.json as { releaseId: string }).releaseId;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const r = (await app?.call('GET', `releases/${releaseId}`))?.json as Release;
      if (r.stages?.find((s) => s.environment === 'qa')?.state === 'waiting') break;
      if (Date.now() > deadline) throw new Error(`qa never waited: ${JSON.stringify(r)}`);
      await new Promise((done) => setTimeout(done, 100));
    }
    const reason = 'operator stopped it from /home/site/wwwroot';
    await clientFor(app?.host as SandboxApp['host']).terminate(releaseId, reason);
    const release = await released(releaseId);

    expect(release.runtimeStatus).toBe('Terminated');
    expect(release.state).toBe('failed');
    expect(release.message).toMatch(/^the release was terminated/);
    expect(release.stages.map((s) => [s.environment, s.state])).toEqual([
      ['dev', 'succeeded'],
      ['qa', 'failed'],
    ]);
    expect(Object.keys(release)).not.toContain('0');
    expect(JSON.stringify(release)).not.toContain('wwwroot');

    const page = (await app?.call('GET', `releases/${releaseId}?format=html`))?.json as string;
    expect(page).toContain('the release was terminated');
    expect(page).toContain('stopped while waiting');
    expect(page).not.toContain('wwwroot');
  });
});
