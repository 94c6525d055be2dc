// Test infrastructure: one release of a bundle on a fresh local world, through Functions worker processes
// (test/sandbox/hostProcess.ts) that the plan kills at chosen moments, with the world's faults and one
// storage outage, every waiting stage approved; then everything the checks need is gathered.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { AUDIT_CONTAINER } from '../../src/azure/AuditStore';
import { ReleaseStorage, RELEASES_CONTAINER } from '../../src/azure/ReleaseStorage';
import { stageBundle } from '../../src/sources/stageBundle';
import type { FaultSpec } from '../emulator/FaultSpec';
import type { KeyVaultServer } from '../emulator/KeyVaultServer';
import { LocalWorld } from '../sandbox/LocalWorld';
import type { HostProcessConfig } from '../sandbox/hostProcess';
import { EventType } from '../sandbox/host/HistoryEvent';
import { freePort } from '../sandbox/SandboxApp';
import { HostSupervisor, type WorkerPlan } from './HostSupervisor';
import { StorageProxy } from './StorageProxy';

export const LEDGER_CONTAINER = 'bricklane-ledger';
export const DURABLE_CONTAINER = 'sandbox-durable';
const ENVIRONMENTS = ['dev', 'qa', 'prod'];

export interface ChaosPlan {
  faults?: { spec: FaultSpec; seed: number };
  /** `workers[i]` for the (i+1)-th worker process. */
  workers: WorkerPlan[];
  outage?: { atMs: number; durationInMs: number };
  /** A storage write applied and its answer lost on the way back (the n-th to the container). */
  lostAnswer?: { container: string; at: number };
  /** Give up on the release after this long. */
  limitInMs: number;
  /** App settings of every worker beyond the world's (e.g. BRICKLANE_QA_ROLLBACK). */
  settings?: Record<string, string>;
  /**
   * A release of this bundle first, followed to its end (the kills count from the first worker on, so a crash
   * point names a moment the earlier release does not reach).
   */
  earlier?: string;
  /** Sets the world up for the release (after the earlier one), e.g. scripts a check's runs. */
  prepare?: (world: LocalWorld) => void;
  /** Rings: an environment's targets, canary first (LocalWorld's `targets`, e.g. `{ prod: ['weu', 'neu', 'eus'] }`). */
  targets?: Readonly<Record<string, readonly string[]>>;
}

export interface ReleaseStatusView {
  runtimeStatus?: string;
  state?: string;
  message?: string;
  stages?: { environment: string; state: string; approvalUrl?: string; message?: string }[];
}

export interface ChaosOutcome {
  durationMs: number;
  releaseId: string | undefined;
  status: ReleaseStatusView | undefined;
  /** Why the run stopped without a terminal status, if it did. */
  error?: string;
  /** The world at the end (LocalWorld.state()). */
  state: Record<string, unknown>;
  ledgers: Record<string, { entries: Record<string, { hash: string; target: string }> }>;
  /** Claim records left under environments/ in the releases container, by blob name. */
  claims: Record<string, unknown>;
  /** Every output to scan for secrets, named by where it came from. */
  outputs: { source: string; text: string }[];
  /** Values that must never appear in any output. */
  secrets: { name: string; value: string }[];
  /** What happened: workers, kills, outage. */
  story: string[];
  /** Counts for planning kills from a fault-free run. */
  counts: { commits: number; activities: number; ledgerWrites: number; releaseWrites: number };
}

export async function runChaosRelease(
  bundleDir: string,
  plan: ChaosPlan,
  log: (line: string) => void,
): Promise<ChaosOutcome> {
  const dir = await mkdtemp(join(tmpdir(), 'bricklane-chaos-'));
  const world = await LocalWorld.start({
    worldDir: join(dir, 'world'),
    environments: ENVIRONMENTS,
    ...(plan.targets ? { targets: plan.targets } : {}),
  });
  const story: string[] = [];
  const harness: string[] = [];
  const say = (line: string): void => {
    harness.push(line);
    log(line);
  };
  let proxy: StorageProxy | undefined;
  let supervisor: HostSupervisor | undefined;
  let outage: Promise<void> | undefined;
  let ended = false;
  let stopped: Promise<void> | undefined;
  const stopAll = (): Promise<void> =>
    (stopped ??= (async () => {
      await supervisor?.stop();
      await outage?.catch(() => {});
      await proxy?.stop();
      await world.stop();
      await rm(dir, { recursive: true, force: true });
    })());
  running.add(stopAll);
  try {
    proxy = await StorageProxy.start(() => world.azurite.blobPort);
    const config = workerConfig(world, proxy, await freePort(), plan.settings);
    const secrets = secretsOf(world, config);
    if (plan.faults) {
      world.injectFaults(plan.faults.spec, plan.faults.seed);
      story.push(`faults seeded ${plan.faults.seed}`);
    }
    const started = Date.now();
    if (plan.lostAnswer) proxy.loseAnswer(plan.lostAnswer.container, plan.lostAnswer.at);
    supervisor = await HostSupervisor.start(config, plan.workers, proxy);
    const client = new WorkerClient(supervisor, config.functionKey);
    const storage = new ReleaseStorage(
      BlobServiceClient.fromConnectionString(world.azurite.connectionString),
    );
    if (plan.earlier) {
      const before = await stageBundle(storage, plan.earlier);
      const answer = await client.call('POST', 'releases', { bundleId: before.bundleId });
      const earlierId = (answer.json as { releaseId?: string }).releaseId;
      const done = earlierId ? await follow(client, earlierId, started + plan.limitInMs, say, []) : {};
      story.push(`earlier release ${earlierId ?? '(none)'}: ${done.status?.state ?? 'did not end'}`);
    }
    plan.prepare?.(world);
    const staged = await stageBundle(storage, bundleDir);
    if (plan.outage) {
      const { atMs, durationInMs } = plan.outage;
      outage = sleep(atMs).then(async () => {
        if (ended) {
          story.push(`no storage outage: the release had ended before ${atMs} ms`);
          return;
        }
        story.push(`storage outage of ${durationInMs} ms at ${Date.now() - started} ms`);
        await world.storageOutage(durationInMs);
      });
    }
    const startAnswer = await client.call('POST', 'releases', { bundleId: staged.bundleId });
    const releaseId = (startAnswer.json as { releaseId?: string }).releaseId;
    say(`release ${releaseId ?? '(none)'} started (${startAnswer.status})`);
    let status: ReleaseStatusView | undefined;
    let error: string | undefined;
    const outputs: { source: string; text: string }[] = [];
    if (releaseId) {
      const followed = await follow(client, releaseId, started + plan.limitInMs, say, outputs);
      status = followed.status;
      error = followed.error;
    } else error = `no release id: ${JSON.stringify(startAnswer.json)}`;
    const durationMs = Date.now() - started;
    ended = true;
    await outage;
    world.clearFaults();
    if (releaseId) {
      await supervisor.whenReady();
      const page = await client.page(`releases/${releaseId}`);
      outputs.push({ source: 'status page', text: page });
      outputs.push({ source: 'status JSON', text: JSON.stringify(status) });
    }
    story.push(...supervisor.exits);
    story.push(...proxy.events);
    await supervisor.stop();
    const service = BlobServiceClient.fromConnectionString(world.azurite.connectionString);
    const blobs = await readContainers(service, [
      DURABLE_CONTAINER,
      RELEASES_CONTAINER,
      LEDGER_CONTAINER,
      AUDIT_CONTAINER,
    ]);
    for (const [name, text] of Object.entries(blobs))
      if (!name.startsWith(`${RELEASES_CONTAINER}/bundles/`)) outputs.push({ source: name, text });
    outputs.push({ source: 'worker output', text: supervisor.output.join('') });
    outputs.push({ source: 'harness output', text: harness.join('\n') });
    return {
      durationMs,
      releaseId,
      status,
      ...(error ? { error } : {}),
      state: world.state(),
      // A ring's ledgers are its targets' (`prod.weu`), as its workspaces are.
      ledgers: Object.fromEntries(
        world
          .workspaces()
          .map((env) => [
            env,
            JSON.parse(blobs[`${LEDGER_CONTAINER}/environments/${env}/ledger.json`] ?? '{"entries":{}}'),
          ]),
      ),
      claims: Object.fromEntries(
        Object.entries(blobs)
          .filter(([name]) => name.startsWith(`${RELEASES_CONTAINER}/environments/`))
          .map(([name, text]) => [name, JSON.parse(text) as unknown]),
      ),
      outputs,
      secrets,
      story,
      counts: {
        commits: countEvents(blobs, EventType.OrchestratorCompleted),
        activities: countEvents(blobs, EventType.TaskScheduled),
        ledgerWrites: proxy.writeCount(LEDGER_CONTAINER),
        releaseWrites: proxy.writeCount(RELEASES_CONTAINER),
      },
    };
  } finally {
    await stopAll();
    running.delete(stopAll);
  }
}

/** Stops what the runs in progress started (workers and Azurite are in their own process groups). */
export async function stopChaosRuns(): Promise<void> {
  await Promise.allSettled([...running].map((stop) => stop()));
}

const running = new Set<() => Promise<void>>();

/** Follows the release until it ends, approving each stage that waits (and keeping the approval pages). */
async function follow(
  client: WorkerClient,
  releaseId: string,
  deadline: number,
  say: (line: string) => void,
  outputs: { source: string; text: string }[],
): Promise<{ status?: ReleaseStatusView; error?: string }> {
  const approved = new Set<string>();
  const seen = new Map<string, string>();
  let status: ReleaseStatusView | undefined;
  for (;;) {
    const answer = await client.call('GET', `releases/${releaseId}`);
    if (answer.status === 200) status = answer.json as ReleaseStatusView;
    for (const stage of status?.stages ?? []) {
      if (seen.get(stage.environment) !== stage.state) {
        seen.set(stage.environment, stage.state);
        say(`  ${stage.environment}: ${stage.state}${stage.message ? ` (${stage.message})` : ''}`);
      }
      if (stage.state === 'waiting' && stage.approvalUrl && !approved.has(stage.environment)) {
        outputs.push({
          source: `approval page ${stage.environment}`,
          text: await client.page(stage.approvalUrl),
        });
        const decided = await client.post(stage.approvalUrl, 'decision=approve&comment=chaos');
        // 409: decided already (an answer lost to a kill, then sent again).
        if (decided < 500) approved.add(stage.environment);
        say(`  ${stage.environment}: approved (${decided})`);
      }
    }
    if (status?.runtimeStatus && ['Completed', 'Failed', 'Terminated'].includes(status.runtimeStatus)) {
      say(
        `release ${releaseId}: ${status.state ?? status.runtimeStatus}${status.message ? ` — ${status.message}` : ''}`,
      );
      return { status };
    }
    if (Date.now() > deadline)
      return { ...(status ? { status } : {}), error: `not finished in time (last state: ${status?.state})` };
    await sleep(250);
  }
}

/** HTTP to whichever worker serves now; a call that finds no worker waits for the next one. */
class WorkerClient {
  constructor(
    private readonly supervisor: HostSupervisor,
    private readonly functionKey: string,
  ) {}

  async call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const url = new URL(`${this.supervisor.url}/api/${path}`);
    url.searchParams.set('code', this.functionKey);
    const response = await this.send(url.toString(), {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    try {
      return { status: response.status, json: JSON.parse(text) as unknown };
    } catch {
      return { status: response.status, json: text };
    }
  }

  /** A page as a browser gets it (a full URL, or a route under /api/ with the key). */
  async page(pathOrUrl: string): Promise<string> {
    const url = pathOrUrl.startsWith('http')
      ? pathOrUrl
      : `${this.supervisor.url}/api/${pathOrUrl}?code=${this.functionKey}`;
    return (await this.send(url, { headers: { accept: 'text/html' } })).text();
  }

  async post(url: string, form: string): Promise<number> {
    const response = await this.send(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
      redirect: 'manual',
    });
    await response.arrayBuffer();
    return response.status;
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.supervisor.whenReady();
        return await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
      } catch (error) {
        if (attempt >= 100) throw error;
        await sleep(200);
      }
    }
  }
}

/** The worker's app settings: the world's, storage through the proxy, and the app's own keys and secrets. */
function workerConfig(
  world: LocalWorld,
  proxy: StorageProxy,
  port: number,
  extra: Record<string, string> = {},
): HostProcessConfig {
  const storage = proxy.route(world.azurite.connectionString);
  return {
    settings: {
      ...world.settings(),
      ...extra,
      // The emulated check runs end within a second: the first look at them comes after 1 s, not 10.
      BRICKLANE_CHECKS_POLL_SECONDS: '1',
      AzureWebJobsStorage: storage,
      BRICKLANE_LEDGER_CONNECTION: storage,
      BRICKLANE_PUBLIC_URL: `http://127.0.0.1:${port}`,
      BRICKLANE_APPROVAL_SIGNING_KEYS: randomBytes(48).toString('base64'),
      // Present so that the scan proves they stay out of every output, though this run starts by HTTP.
      BRICKLANE_GITHUB_WEBHOOK_SECRET: randomBytes(24).toString('hex'),
      BRICKLANE_GITHUB_REPOSITORY: 'bricklane-chaos/sample',
      BRICKLANE_AZURE_DEVOPS_HOOK_USERNAME: 'chaos',
      BRICKLANE_AZURE_DEVOPS_HOOK_PASSWORD: randomBytes(24).toString('hex'),
      IDENTITY_ENDPOINT: process.env.IDENTITY_ENDPOINT ?? '',
      IDENTITY_HEADER: process.env.IDENTITY_HEADER ?? '',
    },
    storage,
    port,
    functionKey: randomBytes(24).toString('base64url'),
  };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Every value of an environment's vault, whatever its name (the sample copies etl-db-password), but the
 * subscription, tenant and client ids a vault may keep: identifiers (GUIDs) that resource ids and sign-ins show.
 */
export function vaultSecrets(
  env: string,
  vault: Pick<KeyVaultServer, 'secretNames' | 'getSecret'> | undefined,
): { name: string; value: string }[] {
  return (vault?.secretNames() ?? []).flatMap((name) => {
    const value = vault?.getSecret(name);
    return value && !GUID.test(value) ? [{ name: `${env} Key Vault ${name}`, value }] : [];
  });
}

function secretsOf(world: LocalWorld, config: HostProcessConfig): { name: string; value: string }[] {
  const secrets: { name: string; value: string }[] = [];
  for (const env of world.workspaces())
    secrets.push(...vaultSecrets(env, world.azure.findVault(world.names(env).keyVault)));
  for (const name of [
    'BRICKLANE_APPROVAL_SIGNING_KEYS',
    'BRICKLANE_GITHUB_WEBHOOK_SECRET',
    'BRICKLANE_AZURE_DEVOPS_HOOK_PASSWORD',
    'IDENTITY_HEADER',
  ]) {
    const value = config.settings[name];
    if (value) secrets.push({ name, value });
  }
  return secrets;
}

async function readContainers(service: BlobServiceClient, names: string[]): Promise<Record<string, string>> {
  const blobs: Record<string, string> = {};
  for (const name of names) {
    const container = service.getContainerClient(name);
    if (!(await container.exists())) continue;
    for await (const blob of container.listBlobsFlat()) {
      const bytes = await container.getBlobClient(blob.name).downloadToBuffer();
      blobs[`${name}/${blob.name}`] = bytes.toString('utf8');
    }
  }
  return blobs;
}

/** Events of one type across every stored instance history (a fault-free run's commits and activities). */
function countEvents(blobs: Record<string, string>, type: number): number {
  let count = 0;
  for (const [name, text] of Object.entries(blobs)) {
    if (!name.startsWith(`${DURABLE_CONTAINER}/`)) continue;
    const record = JSON.parse(text) as { history?: { EventType: number }[] };
    count += (record.history ?? []).filter((e) => e.EventType === type).length;
  }
  return count;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
