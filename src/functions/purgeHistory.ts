// I/O (timer trigger): purges the durable history of finished instances (completed, failed, terminated)
// created more than BRICKLANE_HISTORY_RETENTION_DAYS ago (default 30; 0 or `off`: never). The Azure Storage
// provider keeps every instance's history and status until someone purges it (learn.microsoft.com/azure/
// azure-functions/durable/durable-functions-instance-management, "Purge instance history"); nothing in a
// release needs an old history: the ledger keeps each environment's last known good, staged bundles and plans
// are content-addressed blobs, and the audit trail is a store of its own.
// Before the purge each release instance's status is archived as its release record (azure/releaseRecord.ts),
// which GET /api/releases/{id}, the status page and the release list answer from once the instance is gone.
// Records archived before the list read them (they have no entry in the record index) are indexed first, on
// the next run after an upgrade (releaseRecord.ts, indexUnindexedRecords).
// Race-free: the purge covers only instances created before the oldest instance that is still unfinished (and
// before the retention cut-off), so an instance that finishes between the listing and the purge (a release
// waits for an approval for days) is not purged unarchived; it is purged on a later day.
import type { InvocationContext, Timer, TimerFunctionOptions } from '@azure/functions';
import * as df from 'durable-functions';
import { ORCHESTRATIONS } from '../activities/contracts';
import type { ReleaseStorage } from '../azure/ReleaseStorage';
import { indexUnindexedRecords, writeReleaseRecord } from '../azure/releaseRecord';
import { appServices } from '../services/appServices';

const DAY_IN_MS = 24 * 3_600_000;
const FINISHED = [
  df.OrchestrationRuntimeStatus.Completed,
  df.OrchestrationRuntimeStatus.Failed,
  df.OrchestrationRuntimeStatus.Terminated,
];

export interface PurgeOutcome {
  /** Release records written (one per finished deployRelease instance purged). */
  archived: number;
  /** Records archived earlier that had no entry in the record index, indexed by this run. */
  indexed: number;
  /** Instances whose history the extension deleted (releases and their sub-orchestrations). */
  purged: number;
  /** Instances created before this time were considered. */
  upTo: string;
}

export async function purgeHistory(_timer: Timer, context: InvocationContext): Promise<void> {
  const { settings, releases } = appServices();
  if (settings.historyRetentionDays === 0) {
    context.log('purgeHistory: off (BRICKLANE_HISTORY_RETENTION_DAYS=0)');
    return;
  }
  const outcome = await purgeFinishedHistory(
    df.getClient(context),
    releases,
    settings.historyRetentionDays,
    new Date(),
  );
  context.log(
    `purgeHistory: ${outcome.purged} instance(s) purged, ${outcome.archived} release record(s) kept, created before ${outcome.upTo}` +
      (outcome.indexed > 0 ? `; ${outcome.indexed} earlier record(s) indexed for the release list` : ''),
  );
}

/** Archives, then purges, what finished before `retentionDays` before `now` (see the module comment). */
export async function purgeFinishedHistory(
  client: df.DurableClient,
  releases: ReleaseStorage,
  retentionDays: number,
  now: Date,
): Promise<PurgeOutcome> {
  const indexed = await indexUnindexedRecords(releases);
  const cutoff = now.getTime() - retentionDays * DAY_IN_MS;
  const old = await client.getStatusBy({ createdTimeTo: new Date(cutoff) });
  const created = (s: df.DurableOrchestrationStatus): number => new Date(s.createdTime).getTime();
  const unfinished = old.filter((s) => !FINISHED.includes(s.runtimeStatus)).map(created);
  const upTo = Math.min(cutoff, ...unfinished.map((t) => t - 1));
  const finished = old.filter((s) => FINISHED.includes(s.runtimeStatus) && created(s) <= upTo);
  let archived = 0;
  for (const status of finished) {
    if (status.name !== ORCHESTRATIONS.deployRelease) continue;
    await writeReleaseRecord(releases, { ...status, runtimeStatus: String(status.runtimeStatus) }, now);
    archived += 1;
  }
  // The extension's purge-by requires createdTimeFrom (400 without it: azure-functions-durable-python#560).
  const result = await client.purgeInstanceHistoryBy({
    createdTimeFrom: new Date(0),
    createdTimeTo: new Date(upTo),
    runtimeStatus: FINISHED,
  });
  return { archived, indexed, purged: result.instancesDeleted, upTo: new Date(upTo).toISOString() };
}

/**
 * Options for `app.timer('purgeHistory', purgeHistoryOptions)`: daily at 03:30 UTC (NCRONTAB, seconds first;
 * learn.microsoft.com/azure/azure-functions/functions-bindings-timer, "NCRONTAB expressions").
 */
export const purgeHistoryOptions: TimerFunctionOptions = {
  schedule: '0 30 3 * * *',
  extraInputs: [df.input.durableClient()],
  handler: purgeHistory,
};
