// I/O (activity): orders releases per environment, durably (blob records with ETags + durable events).
// `waiting`: this release becomes the one waiting for approval; an older waiter is told it is superseded.
// `applying`: the latest release wins, as an Azure Pipelines exclusive lock with `lockBehavior: runLatest`
// ("only the latest run acquires the lock; other runs are canceled") and a GitHub Actions concurrency group
// ("any previously pending job in the group is canceled") do: one release applies, at most one waits
// behind it (a newer one supersedes the one waiting), and a release older than one that already took the
// lock never applies: it would put an older bundle over a newer one. A holder whose instance is no longer
// running is ignored, so a crashed release never leaves a stuck lock (cli#2381).
import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { findOrchestration } from '../azure/findOrchestration';
import { lockBlob, waitingBlob } from '../azure/ReleaseStorage';
import { ENVIRONMENT_FREE_EVENT, SUPERSEDED_EVENT } from '../release/ApprovalEvent';
import type { ClaimInput, ClaimResult } from './contracts';
import { appServices } from '../services/appServices';
import { failuresAsData } from './failuresAsData';

/** A release in an environment's records; `startedAt` orders releases (a later start is newer). */
export interface QueuedRelease {
  releaseId: string;
  startedAt: string;
  /** The instance woken when the lock frees, when not the release (ClaimInput.waiter). */
  waiter?: string;
}

interface EnvironmentRecord extends QueuedRelease {
  since: string;
}

/**
 * The apply lock. The holder's fields are absent while no release applies (records written before the
 * queue existed have only the holder's).
 */
export interface ApplyLockRecord extends Partial<EnvironmentRecord> {
  /** The one release waiting for the holder to finish. */
  next?: QueuedRelease;
  /** The newest release that ever took the lock here. */
  newest?: QueuedRelease;
}

const LIVE = new Set(['Running', 'Pending', 'ContinuedAsNew']);
const ATTEMPTS = 10;

export async function claimEnvironment(input: ClaimInput, context: InvocationContext): Promise<ClaimResult> {
  const client = df.getClient(context);
  const isLive = async (releaseId: string): Promise<boolean> => {
    // Only a 404 means the holder is gone; any other lookup failure throws, so the activity is retried
    // instead of taking over an environment that a live release may be applying to.
    const status = await findOrchestration(client, releaseId);
    return status !== undefined && LIVE.has(String(status.runtimeStatus));
  };
  return input.phase === 'waiting'
    ? claimWaiting(input, client, isLive)
    : claimApplying(input, client, isLive);
}

async function claimWaiting(
  input: ClaimInput,
  client: df.DurableClient,
  isLive: (releaseId: string) => Promise<boolean>,
): Promise<ClaimResult> {
  return updateRecord<EnvironmentRecord, ClaimResult>(waitingBlob(input.environment), async (holder) => {
    const other = holder && holder.releaseId !== input.releaseId ? holder.releaseId : undefined;
    if (holder && other && (await isLive(other))) {
      // A newer release already waits here: this one is the older.
      if (isNewer(holder, input)) return { answer: { granted: false, superseded: true, other } };
      await client.raiseEvent(other, SUPERSEDED_EVENT, {
        by: input.releaseId,
        environment: input.environment,
      });
    }
    return {
      write: { releaseId: input.releaseId, startedAt: input.startedAt, since: new Date().toISOString() },
      after: async () => ({ granted: true, ...(other ? { other } : {}) }),
    };
  });
}

async function claimApplying(
  input: ClaimInput,
  client: df.DurableClient,
  isLive: (releaseId: string) => Promise<boolean>,
): Promise<ClaimResult> {
  const me: QueuedRelease = {
    releaseId: input.releaseId,
    startedAt: input.startedAt,
    ...(input.waiter !== undefined ? { waiter: input.waiter } : {}),
  };
  return updateRecord<ApplyLockRecord, ClaimResult>(lockBlob(input.environment), async (current) => {
    const record = current ?? {};
    const holder = record.releaseId && record.releaseId !== me.releaseId ? record.releaseId : undefined;
    const newest = record.newest ?? holderOf(record);
    if (newest && newest.releaseId !== me.releaseId && isNewer(newest, me)) {
      return { answer: { granted: false, superseded: true, other: newest.releaseId } };
    }
    const queued = record.next && record.next.releaseId !== me.releaseId ? record.next : undefined;
    if (queued && isNewer(queued, me) && (await isLive(queued.releaseId))) {
      return { answer: { granted: false, superseded: true, other: queued.releaseId } };
    }
    const busy = holder !== undefined && (await isLive(holder));
    if (busy && record.next?.releaseId === me.releaseId) return { answer: { granted: false, other: holder } };
    return {
      write: busy
        ? { ...record, next: me }
        : { releaseId: me.releaseId, startedAt: me.startedAt, since: new Date().toISOString(), newest: me },
      after: async () => {
        // The release this one displaced from the queue ends now instead of at its next poll.
        if (queued) await wake(client, queued.waiter ?? queued.releaseId);
        return busy
          ? { granted: false, other: holder }
          : { granted: true, ...(holder ? { other: holder } : {}) };
      },
    };
  });
}

/** Gives up the apply lock (keeping who was newest) and wakes the release waiting for it, if any. */
export async function releaseApplyLock(
  releaseId: string,
  environment: string,
  client: df.DurableClient,
): Promise<void> {
  await updateRecord<ApplyLockRecord, undefined>(lockBlob(environment), async (current) => {
    if (!current || current.releaseId !== releaseId) return { answer: undefined };
    const { next, newest } = current;
    return {
      write: {
        newest: newest ?? { releaseId, startedAt: current.startedAt ?? '' },
        ...(next ? { next } : {}),
      } satisfies ApplyLockRecord,
      after: async () => {
        if (next) await wake(client, next.waiter ?? next.releaseId);
        return undefined;
      },
    };
  });
}

/** What `decide` makes of a record: an answer as it is, or a write and what to answer once it is done. */
type Decision<T, R> = { answer: R } | { write: T; after: () => Promise<R> };

/**
 * Reads a record, decides, and writes it only if nobody wrote it in between (ETag; 'absent' for a new
 * one), deciding again on the newer record otherwise. Throws after a few rounds, so the activity is retried.
 */
async function updateRecord<T, R>(
  name: string,
  decide: (current: T | undefined) => Promise<Decision<T, R>>,
): Promise<R> {
  const storage = appServices().releases;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const current = await storage.readJson<T>(name);
    const decision = await decide(current?.value);
    if ('answer' in decision) return decision.answer;
    if (await storage.writeJson(name, decision.write, current ? current.etag : 'absent'))
      return decision.after();
  }
  throw new Error(`claimEnvironment: ${name} kept changing; retrying`);
}

function holderOf(record: ApplyLockRecord): QueuedRelease | undefined {
  return record.releaseId ? { releaseId: record.releaseId, startedAt: record.startedAt ?? '' } : undefined;
}

/** A total order: the later start, and on a tie the larger id. */
function isNewer(a: QueuedRelease, b: QueuedRelease): boolean {
  return a.startedAt > b.startedAt || (a.startedAt === b.startedAt && a.releaseId > b.releaseId);
}

/**
 * Tells a queued release to claim again now rather than at its next poll. Best effort: a release that has
 * ended answers 410 or 404 and needs no wake-up, and one that misses it claims again at its next poll.
 */
async function wake(client: df.DurableClient, releaseId: string): Promise<void> {
  try {
    await client.raiseEvent(releaseId, ENVIRONMENT_FREE_EVENT, {});
  } catch {
    // See above: the poll is the guarantee, the event only saves its wait.
  }
}

/**
 * Options for `df.app.activity('claimEnvironment', claimEnvironmentOptions)`: permanent failures as data;
 * the Durable client looks up whether a holder still runs.
 */
export const claimEnvironmentOptions: df.ActivityOptions = {
  handler: failuresAsData(claimEnvironment),
  extraInputs: [df.input.durableClient()],
};
