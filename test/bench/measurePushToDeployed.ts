// Benchmark section: from a signed GitHub push of the sample bundle to Dev's stage deployed, in the sandbox
// (webhook -> fetch archive -> stage -> validate -> plan -> claim -> provision -> apply). The webhook's
// acknowledgement under load is measured in a worker process of its own (measureWebhookAcks). The local
// host hands durable messages over in memory, so
// the host is given Azure's per-episode latency (FunctionHost episodeLatencyInMs) and the workspace the
// bench's 100 ms; ARM, Key Vault and the source host answer at local speed (the report counts their calls).
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { bundleIdOf } from '../../src/sources/bundleIdOf';
import { digestFolder } from '../../src/sources/digestFolder';
import type { ReleaseStatus } from '../../src/release/ReleaseStatus';
import { EventType, type HistoryEvent } from '../sandbox/host/HistoryEvent';
import { LocalWorld } from '../sandbox/LocalWorld';
import { SandboxApp } from '../sandbox/SandboxApp';
import type { RepoTree } from '../emulator/collectRepoFiles';
import { REPOSITORY, startSourceHosts, triggerRelease } from '../sandbox/triggerRelease';

export const SAMPLE_BUNDLE = resolve(__dirname, '..', '..', 'artifacts');

export interface PushLatencyOptions {
  runs: number;
  /** Per orchestrator episode (Azure Storage provider: ~200 ms per sequential activity). */
  episodeLatencyInMs: number;
  databricksLatencyInMs: number;
}

export interface PushLatency {
  /** Push sent -> Dev's stage `succeeded`, per measured run (ms). */
  runs: number[];
  /** The first push, which also creates Dev's workspace (minutes of ARM in Azure; not in `runs`). */
  firstPushInMs: number;
  /** Where the median run's time went: each step (activity or sub-orchestration) in order, in ms. */
  breakdown: { step: string; ms: number }[];
  /** Calls to Azure on the median run's path (answered at local speed here). */
  azureCalls: { arm: number; keyVault: number; tokens: number };
}

/**
 * A sandbox world (dev, qa, prod unless told) with the app hosted and the GitHub emulator serving the sample bundle:
 * commits of it (one notebook changed) and signed pushes of them, followed to Dev's stage deployed.
 */
export class SamplePushes {
  private readonly commits: Record<string, RepoTree>;

  private constructor(
    readonly world: LocalWorld,
    readonly app: SandboxApp,
    private readonly hosts: Awaited<ReturnType<typeof startSourceHosts>>,
    private readonly work: string,
  ) {
    this.commits = { [hosts.commit]: { artifacts: { dir: SAMPLE_BUNDLE } } };
  }

  static async start(options: {
    episodeLatencyInMs?: number;
    databricksLatencyInMs?: number;
    environments?: string[];
    /** The host's replay-from-scratch check after every episode (default true; Azure does not do it). */
    checkDeterminism?: boolean;
  }): Promise<SamplePushes> {
    const work = mkdtempSync(join(tmpdir(), 'bricklane-bench-push-'));
    const world = await LocalWorld.start({
      environments: options.environments ?? ['dev', 'qa', 'prod'],
      emulator: { latencyInMs: options.databricksLatencyInMs ?? 0 },
    });
    const hosts = await startSourceHosts(SAMPLE_BUNDLE);
    const app = await SandboxApp.start(world, {
      settings: hosts.settings,
      host: {
        episodeLatencyInMs: options.episodeLatencyInMs ?? 0,
        checkDeterminism: options.checkDeterminism ?? true,
      },
    });
    return new SamplePushes(world, app, hosts, work);
  }

  /** The sample bundle as pushed first. */
  get firstCommit(): string {
    return this.hosts.commit;
  }

  /** A commit of the sample bundle with one notebook changed (`n` in it), pushable from now on. */
  async commitOf(n: number): Promise<string> {
    const dir = join(this.work, `push-${n}`);
    cpSync(SAMPLE_BUNDLE, dir, { recursive: true });
    writeFileSync(
      join(dir, 'notebooks', 'shared', 'utils.py'),
      `# Databricks notebook source\n# bench push ${n}\nprint("push ${n}")\n`,
    );
    const commit = bundleIdOf(await digestFolder(dir)).slice(0, 40);
    this.commits[commit] = { artifacts: { dir } };
    this.addCommits();
    return commit;
  }

  private addCommits(): void {
    this.hosts.sources.addGitHubRepo(REPOSITORY, { commits: this.commits });
  }

  /** Sends the signed push; the release it started and how long the webhook took to answer. */
  async push(commit: string): Promise<{ releaseId: string; ackInMs: number }> {
    const sent = performance.now();
    const releaseId = await triggerRelease(
      'github',
      this.app,
      this.world,
      this.hosts.sources,
      commit,
      SAMPLE_BUNDLE,
    );
    return { releaseId, ackInMs: performance.now() - sent };
  }

  /** Pushes and waits until Dev's stage has succeeded (throws if it failed): the release and the time. */
  async devDeployed(commit: string): Promise<{ releaseId: string; ms: number }> {
    const sent = performance.now();
    const { releaseId } = await this.push(commit);
    const status = await this.app.host.durable.waitFor(
      releaseId,
      (s) => ['succeeded', 'failed'].includes(devStage(s.customStatus)?.state ?? ''),
      120_000,
    );
    const dev = devStage(status.customStatus);
    if (dev?.state !== 'succeeded')
      throw new Error(`push ${releaseId}: Dev ${dev?.state ?? '?'}: ${dev?.message ?? ''}`);
    return { releaseId, ms: performance.now() - sent };
  }

  /** Calls to Azure so far: ARM, Key Vault, tokens. */
  azureCalls(): { arm: number; keyVault: number; tokens: number } {
    const c = this.world.azure.counters();
    return { arm: c.arm.total, keyVault: c.keyVault.total, tokens: c.tokens.managedIdentity + c.tokens.aad };
  }

  async stop(): Promise<void> {
    await this.app.stop();
    await this.hosts.sources.stop();
    await this.world.stop();
    rmSync(this.work, { recursive: true, force: true });
  }
}

export async function measurePushToDeployed(options: PushLatencyOptions): Promise<PushLatency> {
  // The host's replay-from-scratch check after each episode is the sandbox's own (Azure replays once).
  const pushes = await SamplePushes.start({ ...options, checkDeterminism: false });
  try {
    const first = await pushes.devDeployed(pushes.firstCommit);
    const measured: { releaseId: string; ms: number; azure: PushLatency['azureCalls'] }[] = [];
    for (let n = 0; n < options.runs; n++) {
      const commit = await pushes.commitOf(n);
      const before = pushes.azureCalls();
      const run = await pushes.devDeployed(commit);
      const after = pushes.azureCalls();
      measured.push({
        ...run,
        azure: {
          arm: after.arm - before.arm,
          keyVault: after.keyVault - before.keyVault,
          tokens: after.tokens - before.tokens,
        },
      });
    }
    const median = [...measured].sort((a, b) => a.ms - b.ms)[Math.floor(measured.length / 2)];
    const breakdown = median ? stepsOf(pushes.app, median.releaseId) : [];
    return {
      runs: measured.map((m) => m.ms),
      firstPushInMs: first.ms,
      breakdown,
      azureCalls: median?.azure ?? { arm: 0, keyVault: 0, tokens: 0 },
    };
  } finally {
    await pushes.stop();
  }
}

function devStage(customStatus: unknown): ReleaseStatus['stages'][number] | undefined {
  return (customStatus as ReleaseStatus | undefined)?.stages?.find((s) => s.environment === 'dev');
}

/**
 * The release's steps up to Dev's apply, from the committed histories: each activity (and the Dev
 * sub-orchestration's own steps) from scheduled to completed, and the time between them (durable dispatch:
 * the episode that records one result and schedules the next).
 */
function stepsOf(app: SandboxApp, releaseId: string): { step: string; ms: number }[] {
  const steps: { step: string; ms: number }[] = [];
  const spans = (instanceId: string): { name: string; from: number; to: number }[] => {
    const history = app.host.durable.history(instanceId);
    const scheduled = new Map<number, { name: string; from: number }>();
    const done: { name: string; from: number; to: number }[] = [];
    for (const event of history as (HistoryEvent & { Name?: string; TaskScheduledId?: number })[]) {
      const at = Date.parse(event.Timestamp);
      if (
        event.EventType === EventType.TaskScheduled ||
        event.EventType === EventType.SubOrchestrationInstanceCreated
      )
        scheduled.set(event.EventId, { name: event.Name ?? '?', from: at });
      if (
        event.EventType === EventType.TaskCompleted ||
        event.EventType === EventType.SubOrchestrationInstanceCompleted
      ) {
        const s = scheduled.get(event.TaskScheduledId ?? -1);
        if (s) done.push({ ...s, to: at });
      }
    }
    return done;
  };
  const release = spans(releaseId);
  const started = Date.parse(app.host.durable.history(releaseId)[0]?.Timestamp ?? '');
  let last = started;
  for (const span of release) {
    if (span.from > last) steps.push({ step: 'durable dispatch', ms: span.from - last });
    if (span.name === 'deployEnvironment') {
      let inner = span.from;
      for (const child of spans(`${releaseId}:dev`)) {
        if (child.from > inner) steps.push({ step: '  durable dispatch', ms: child.from - inner });
        steps.push({ step: `  ${child.name}`, ms: child.to - child.from });
        inner = child.to;
      }
      steps.push({ step: '  durable dispatch', ms: span.to - inner });
    } else steps.push({ step: span.name, ms: span.to - span.from });
    last = span.to;
    if (span.name === 'releaseEnvironment') break;
  }
  return steps;
}
