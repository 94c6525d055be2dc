// I/O (activity): gives up this release's hold on an environment: its waiting record once the approval is
// decided, its apply lock once the stage has finished.
import { lockBlob, waitingBlob } from '../azure/ReleaseStorage';
import type { ClaimInput } from './contracts';
import { appServices } from '../services/appServices';
import type { ActivityOptions } from 'durable-functions';
import { failuresAsData } from './failuresAsData';

export async function releaseEnvironment(
  input: Pick<ClaimInput, 'releaseId' | 'environment' | 'phase'>,
): Promise<void> {
  const storage = appServices().releases;
  for (const name of [
    input.phase === 'applying' ? lockBlob(input.environment) : waitingBlob(input.environment),
  ]) {
    const current = await storage.readJson<{ releaseId: string }>(name);
    if (current?.value.releaseId === input.releaseId) await storage.deleteIfMatch(name, current.etag);
  }
}

/** Options for `df.app.activity('releaseEnvironment', releaseEnvironmentOptions)`: permanent failures come back as data. */
export const releaseEnvironmentOptions: ActivityOptions = { handler: failuresAsData(releaseEnvironment) };
