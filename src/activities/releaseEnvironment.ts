// I/O (activity): gives up this release's hold on an environment: its waiting record once the approval is
// decided, its apply lock once the stage has finished (waking the release queued for it). A stage that passed
// with this apply (no checks) records its bundle as the last known good first.
import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { waitingBlob } from '../azure/ReleaseStorage';
import { releaseApplyLock } from './claimEnvironment';
import type { ReleaseEnvironmentInput } from './contracts';
import { appServices } from '../services/appServices';
import { failuresAsData } from './failuresAsData';

export async function releaseEnvironment(
  input: ReleaseEnvironmentInput,
  context: InvocationContext,
): Promise<void> {
  if (input.knownGood) {
    // Before the lock is given up, so that the next release that holds it finds the record.
    await appServices().ledger.recordKnownGood(input.environment, {
      bundleId: input.knownGood.bundleId,
      releaseId: input.releaseId,
      at: input.knownGood.at,
    });
  }
  if (input.phase === 'applying') {
    await releaseApplyLock(input.releaseId, input.environment, df.getClient(context));
    return;
  }
  const storage = appServices().releases;
  const name = waitingBlob(input.environment);
  const current = await storage.readJson<{ releaseId: string }>(name);
  if (current?.value.releaseId === input.releaseId) await storage.deleteIfMatch(name, current.etag);
}

/**
 * Options for `df.app.activity('releaseEnvironment', releaseEnvironmentOptions)`: permanent failures come
 * back as data; the Durable client wakes the release queued for the apply lock.
 */
export const releaseEnvironmentOptions: df.ActivityOptions = {
  handler: failuresAsData(releaseEnvironment),
  extraInputs: [df.input.durableClient()],
};
