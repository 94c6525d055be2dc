// I/O (activity): starts one run of each check job of an environment (Jobs API run-now) and returns the run
// ids at once; the orchestration waits for them on durable timers and reads them with readChecks, so no
// activity waits for a run. Each run-now carries an idempotency token made from the release, its start, the
// environment, the bundle (a rollback checks the earlier bundle with runs of its own) and the job: a retried call (its answer lost) gets the run it started, not a second one
// (https://docs.databricks.com/api/azure/workspace/jobs/runnow, `idempotency_token`).
import { createHash } from 'node:crypto';
import type { ActivityOptions } from 'durable-functions';
import { appServices } from '../services/appServices';
import type { ActivityFailed, StartChecksInput, StartChecksResult } from './contracts';
import { connectForActivity } from './engine/connectForActivity';
import { failuresAsData } from './failuresAsData';

export async function startChecks(input: StartChecksInput): Promise<StartChecksResult | ActivityFailed> {
  const { client } = await connectForActivity(input.environment, { create: false });
  if (!client) return missing(input.environment, 'its workspace does not exist');
  const { ledger } = await appServices().ledger.read(input.environment);
  const runs: StartChecksResult['runs'] = [];
  for (const job of input.jobs) {
    // The apply just recorded the job's id; a job the ledger lacks (deployed by hand) is found by name.
    let jobId = Number(ledger.entries[`jobs.${job}`]?.target ?? Number.NaN);
    if (!Number.isSafeInteger(jobId)) {
      for await (const found of client.listJobs({ name: job }))
        if (found.settings.name === job) jobId = found.job_id;
    }
    if (!Number.isSafeInteger(jobId))
      return missing(input.environment, `job "${job}" is not in the workspace`);
    runs.push({ job, runId: await client.runNow(jobId, checkToken(input, job)) });
  }
  return { runs };
}

/** 64 hex characters, the token's limit: one run per release execution, environment, bundle and job. */
export function checkToken(input: StartChecksInput, job: string): string {
  return createHash('sha256')
    .update(JSON.stringify([input.releaseId, input.startedAt, input.environment, input.bundleId, job]))
    .digest('hex');
}

function missing(environment: string, what: string): ActivityFailed {
  return {
    ok: false,
    failure: {
      code: 'CheckJobMissing',
      message: `the checks of ${environment} cannot start: ${what}`,
      fix: 'check that the apply of this environment succeeded and that bricklane.json `checks` names jobs of the bundle, then re-run the release',
    },
  };
}

/** Options for `df.app.activity('startChecks', startChecksOptions)`: permanent failures come back as data. */
export const startChecksOptions: ActivityOptions = { handler: failuresAsData(startChecks) };
