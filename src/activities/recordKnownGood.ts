// I/O (activity): records the bundle a stage deployed as its environment's last known good, once its checks
// passed (or it had none): the ledger's lastKnownGood, which a rollback redeploys. A ledger conflict is thrown
// and retried by the orchestration's retry policy.
import type { ActivityOptions } from 'durable-functions';
import { appServices } from '../services/appServices';
import type { RecordKnownGoodInput } from './contracts';
import { failuresAsData } from './failuresAsData';

export async function recordKnownGood(input: RecordKnownGoodInput): Promise<void> {
  await appServices().ledger.recordKnownGood(input.environment, {
    bundleId: input.bundleId,
    releaseId: input.releaseId,
    at: input.at,
  });
}

/** Options for `df.app.activity('recordKnownGood', recordKnownGoodOptions)`: permanent failures come back as data. */
export const recordKnownGoodOptions: ActivityOptions = { handler: failuresAsData(recordKnownGood) };
