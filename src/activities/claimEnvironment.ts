// I/O (activity): orders releases per environment, durably (blob records with ETags + durable events).
// `waiting`: this release becomes the one waiting for approval; an older waiter is told it is superseded.
// `applying`: this release may apply only if no other live release holds the environment. A holder whose
// instance is no longer running is ignored, so a crashed release never leaves a stuck lock (cli#2381).
import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { findOrchestration } from '../azure/findOrchestration';
import { lockBlob, waitingBlob } from '../azure/ReleaseStorage';
import { SUPERSEDED_EVENT } from '../release/ApprovalEvent';
import type { ClaimInput, ClaimResult } from './contracts';
import { appServices } from '../services/appServices';
import { failuresAsData } from './failuresAsData';

interface EnvironmentRecord {
  releaseId: string;
  startedAt: string;
  since: string;
}

const LIVE = new Set(['Running', 'Pending', 'ContinuedAsNew']);

export async function claimEnvironment(input: ClaimInput, context: InvocationContext): Promise<ClaimResult> {
  const storage = appServices().releases;
  const client = df.getClient(context);
  const isLive = async (releaseId: string): Promise<boolean> => {
    // Only a 404 means the holder is gone; any other lookup failure throws, so the activity is retried
    // instead of taking over an environment that a live release may be applying to.
    const status = await findOrchestration(client, releaseId);
    return status !== undefined && LIVE.has(String(status.runtimeStatus));
  };
  const name = input.phase === 'waiting' ? waitingBlob(input.environment) : lockBlob(input.environment);
  for (let attempt = 0; attempt < 10; attempt++) {
    const current = await storage.readJson<EnvironmentRecord>(name);
    const holder = current?.value;
    if (holder && holder.releaseId !== input.releaseId && (await isLive(holder.releaseId))) {
      if (input.phase === 'applying') return { granted: false, other: holder.releaseId };
      if (holder.startedAt > input.startedAt) {
        // A newer release already waits here: this one is the older.
        return { granted: false, other: holder.releaseId };
      }
      await client.raiseEvent(holder.releaseId, SUPERSEDED_EVENT, {
        by: input.releaseId,
        environment: input.environment,
      });
    }
    const record: EnvironmentRecord = {
      releaseId: input.releaseId,
      startedAt: input.startedAt,
      since: new Date().toISOString(),
    };
    if (await storage.writeJson(name, record, current ? current.etag : 'absent')) {
      return {
        granted: true,
        ...(holder && holder.releaseId !== input.releaseId ? { other: holder.releaseId } : {}),
      };
    }
  }
  throw new Error(
    `claimEnvironment: the ${input.phase} record of ${input.environment} kept changing; retrying`,
  );
}

/**
 * Options for `df.app.activity('claimEnvironment', claimEnvironmentOptions)`: permanent failures as data;
 * the Durable client looks up whether a holder still runs.
 */
export const claimEnvironmentOptions: df.ActivityOptions = {
  handler: failuresAsData(claimEnvironment),
  extraInputs: [df.input.durableClient()],
};
