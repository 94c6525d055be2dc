// Benchmark section: how fast the GitHub webhook answers with many deliveries in flight, measured as in
// Azure: the app runs in a Functions worker process of its own (test/sandbox/hostProcess.ts, the chaos
// harness's worker), whose event loop also runs the orchestrations and activities the deliveries start,
// while the emulated Azure and Databricks services and the source host run here, Azurite in its own
// process, and the sender on its own thread. In one process (SamplePushes), each acknowledgement also
// paid for the emulators' and the sender's work, which Azure does elsewhere. The worker still hosts the
// stand-in Functions host and Durable extension on its loop; in Azure those run in the .NET host process.
import { randomBytes } from 'node:crypto';
import { HostSupervisor } from '../chaos/HostSupervisor';
import { burstCommits, type BurstCommit } from '../integration/bursts/burstCommits';
import { deliverBurst } from '../integration/bursts/deliverBurst';
import { LocalWorld } from '../sandbox/LocalWorld';
import { freePort } from '../sandbox/SandboxApp';
import { REPOSITORY, startSourceHosts } from '../sandbox/triggerRelease';

export interface WebhookAckOptions {
  bundleDir: string;
  /** Deliveries sent at once per round: half as many pushes, each delivered twice (as GitHub redelivers). */
  deliveriesInFlight: number;
  /** Measured rounds, each on a new worker with new commits (the releases they start run meanwhile). */
  rounds: number;
  /** Per orchestrator episode, as Azure's queues and history tables add (DurableExtension). */
  episodeLatencyInMs: number;
}

export interface WebhookAcks {
  /** Each delivery's time to its answer, sorted, over every measured round (ms). */
  acks: number[];
  /** Each round's p99 (ms), to show the spread. */
  roundP99s: number[];
}

/** Warm-up bursts of 20 deliveries of one push. */
const WARM_UP_ROUNDS = 10;
/** The warm-up push's release is past its first activities by then. */
const PAUSE_AFTER_WARM_UP_MS = 3_000;

export async function measureWebhookAcks(options: WebhookAckOptions): Promise<WebhookAcks> {
  const world = await LocalWorld.start({ environments: ['dev', 'qa', 'prod'] });
  const hosts = await startSourceHosts(options.bundleDir);
  const newCommits = async (count: number): Promise<BurstCommit[]> => {
    const commits = await burstCommits(options.bundleDir, count);
    hosts.sources.addGitHubRepo(REPOSITORY, {
      commits: Object.fromEntries(commits.map((c) => [c.commit, c.tree])),
    });
    return commits;
  };
  const deliver = async (url: string, commits: BurstCommit[]): Promise<number[]> => {
    const deliveries = await deliverBurst({
      url,
      commits,
      windowInMs: 0,
      redeliveryDelayInMs: 0,
      random: () => 0,
    });
    const refused = deliveries.filter((d) => d.status >= 300);
    if (refused.length > 0)
      throw new Error(`${refused.length} deliveries were refused (${refused[0]?.status})`);
    return deliveries.map((d) => d.ackInMs).sort((a, b) => a - b);
  };
  try {
    const acks: number[] = [];
    const roundP99s: number[] = [];
    for (let n = 0; n < options.rounds; n++) {
      // Each round on a new worker with a task hub of its own, so that it does not also run the releases an
      // earlier round started (a worker restarted on the same hub resumes them).
      const supervisor = await HostSupervisor.start({
        settings: { ...world.settings(), ...hosts.settings },
        storage: world.azurite.connectionString,
        port: await freePort(),
        functionKey: randomBytes(24).toString('base64url'),
        // The host's replay-from-scratch check after each episode is the sandbox's own (Azure replays once).
        host: {
          episodeLatencyInMs: options.episodeLatencyInMs,
          checkDeterminism: false,
          taskHubName: `acks${n}`,
        },
      });
      try {
        // A worker in Azure answers most deliveries warm: one push, delivered again and again, runs the
        // webhook's code paths (the start once, the status read every time) before the measured burst.
        const [warmUp] = await newCommits(1);
        if (warmUp)
          for (let i = 0; i < WARM_UP_ROUNDS; i++)
            await deliver(
              supervisor.url,
              Array.from({ length: 10 }, (_, k) => ({ ...warmUp, number: k + 1 })),
            );
        await new Promise((done) => setTimeout(done, PAUSE_AFTER_WARM_UP_MS));
        const commits = await newCommits(Math.ceil(options.deliveriesInFlight / 2));
        const measured = await deliver(supervisor.url, commits);
        roundP99s.push(measured[Math.ceil(0.99 * measured.length) - 1] ?? 0);
        acks.push(...measured);
      } finally {
        await supervisor.stop();
      }
    }
    return { acks: acks.sort((a, b) => a - b), roundP99s };
  } finally {
    await hosts.sources.stop();
    await world.stop();
  }
}
