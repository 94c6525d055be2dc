// I/O (activity): gives up this release's hold on an environment: its waiting record once the approval is
// decided, its apply lock once the stage has finished (waking the release queued for it).
import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { waitingBlob } from '../azure/ReleaseStorage';
import { releaseApplyLock } from './claimEnvironment';
import type { ClaimInput } from './contracts';
import { appServices } from '../services/appServices';
import { failuresAsData } from './failuresAsData';

export async function releaseEnvironment(
  input: Pick<ClaimInput, 'releaseId' | 'environment' | 'phase'>,
  context: InvocationContext,
): Promise<void> {
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
