// Test infrastructure: a burst of signed GitHub push deliveries, as GitHub sends them when people push
// quickly: pushes spread over a window, each delivered twice (a redelivery carries the same GUID and may
// arrive at the same moment or later). The sender runs on its own thread, as GitHub is not inside the
// app's process: each acknowledgement is timed there, from the request's start to the answer's headers,
// while the other deliveries are in flight, and the app's busy event loop cannot delay the sender's clock.
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { signedGitHubPush } from '../../sandbox/triggerRelease';
import type { BurstCommit } from './burstCommits';

export interface Delivery {
  number: number;
  /** 1 for the first delivery, 2 for the redelivery. */
  attempt: 1 | 2;
  /** Milliseconds after the first delivery was due. */
  sentAt: number;
  ackInMs: number;
  status: number;
  releaseId?: string;
  started?: boolean;
}

export interface BurstOptions {
  url: string;
  commits: BurstCommit[];
  /** The pushes are spread evenly over this window. */
  windowInMs: number;
  /** The redelivery of push n is sent at once (concurrently) when n is even, else up to this much later. */
  redeliveryDelayInMs: number;
  random: () => number;
}

interface Planned {
  number: number;
  attempt: 1 | 2;
  at: number;
  headers: Record<string, string>;
  body: string;
}

// Plain JavaScript for the sender thread: fetch each planned delivery at its time, time the answer.
const SENDER = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, planned } = workerData;
const start = performance.now();
const send = async (p) => {
  await new Promise((done) => setTimeout(done, Math.max(0, p.at - (performance.now() - start))));
  const sentAt = performance.now();
  const answer = await fetch(url, { method: 'POST', headers: p.headers, body: p.body });
  const ackInMs = performance.now() - sentAt;
  const body = await answer.json().catch(() => ({}));
  return { number: p.number, attempt: p.attempt, sentAt: Math.round(sentAt - start), ackInMs: Math.round(ackInMs),
    status: answer.status, releaseId: body.releaseId, started: body.started };
};
Promise.all(planned.map(send)).then((d) => parentPort.postMessage(d), (e) => parentPort.postMessage(String(e)));
`;

export async function deliverBurst(options: BurstOptions): Promise<Delivery[]> {
  const { commits, windowInMs } = options;
  const spacing = commits.length > 1 ? windowInMs / commits.length : 0;
  const planned: Planned[] = [];
  for (const [i, commit] of commits.entries()) {
    const push = signedGitHubPush(commit.commit, randomUUID());
    const at = Math.round(i * spacing);
    const later = commit.number % 2 === 0 ? 0 : Math.round(options.random() * options.redeliveryDelayInMs);
    const request = { headers: push.headers, body: push.body.toString('utf8') };
    planned.push({ number: commit.number, attempt: 1, at, ...request });
    planned.push({ number: commit.number, attempt: 2, at: at + later, ...request });
  }
  const worker = new Worker(SENDER, {
    eval: true,
    workerData: { url: `${options.url}/api/webhooks/github`, planned },
  });
  try {
    const result = await new Promise<unknown>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    if (!Array.isArray(result)) throw new Error(`the sender failed: ${String(result)}`);
    return result as Delivery[];
  } finally {
    await worker.terminate();
  }
}

/** The q-quantile (0..1) by the nearest-rank method. */
export function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}
