// I/O (activity): one look at an environment's check runs (runs/get each), after cancelling those past their
// timeout (runs/cancel). A failed run's message is its failed task's error: runs/get-output answers a task
// run only, never a multi-task job run (databricks-sdk-py #997; apache/airflow #25427).
import type { ActivityOptions } from 'durable-functions';
import { clipText } from '../release/boundReleaseStatus';
import type { CheckRunState, ReadChecksInput, ReadChecksResult } from './contracts';
import { connectForActivity } from './engine/connectForActivity';
import { failuresAsData } from './failuresAsData';
import type { RunInfo } from '../databricks/runsApi';
import { DatabricksApiError } from '../databricks/DatabricksApiError';
import type { DatabricksWorkspaceClient } from '../databricks/DatabricksWorkspaceClient';

/** Life-cycle states a run does not leave (Jobs API RunLifeCycleState). */
const ENDED = new Set(['TERMINATED', 'SKIPPED', 'INTERNAL_ERROR']);
const MESSAGE_LENGTH = 300;

export async function readChecks(input: ReadChecksInput): Promise<ReadChecksResult> {
  const { client } = await connectForActivity(input.environment, { create: false });
  if (!client) throw new Error(`readChecks: the workspace of ${input.environment} is not reachable`);
  // Cancelling an ended run changes nothing, so a retried call may cancel again.
  for (const runId of input.cancel ?? []) await client.cancelRun(runId);
  const runs: CheckRunState[] = [];
  for (const ref of input.runs) runs.push(await stateOf(client, ref.job, await client.getRun(ref.runId)));
  return { runs };
}

async function stateOf(client: DatabricksWorkspaceClient, job: string, run: RunInfo): Promise<CheckRunState> {
  const lifeCycleState = run.state?.life_cycle_state ?? 'PENDING';
  const resultState = run.state?.result_state;
  let message = run.state?.state_message;
  if (resultState === 'FAILED') {
    const task = run.tasks?.find((t) => t.state?.result_state === 'FAILED') ?? run.tasks?.[0];
    message = (task ? await errorOf(client, task.run_id) : undefined) ?? message;
  }
  return {
    job,
    runId: run.run_id,
    lifeCycleState,
    ...(resultState ? { resultState } : {}),
    ...(message ? { message: clipText(message, MESSAGE_LENGTH) } : {}),
    ...(run.run_page_url ? { url: run.run_page_url } : {}),
    ...(run.start_time ? { startTime: run.start_time } : {}),
    ...(run.end_time ? { endTime: run.end_time } : {}),
    ended: ENDED.has(lifeCycleState),
  };
}

/**
 * The task run's error, or undefined when its output cannot be read for good (a run deleted since, output
 * access refused): the run's state message stands in. What a retry may fix is thrown.
 */
async function errorOf(client: DatabricksWorkspaceClient, taskRunId: number): Promise<string | undefined> {
  try {
    return (await client.getRunOutput(taskRunId)).error;
  } catch (error) {
    if (error instanceof DatabricksApiError && !error.retryable) return undefined;
    throw error;
  }
}

/** Options for `df.app.activity('readChecks', readChecksOptions)`: permanent failures come back as data. */
export const readChecksOptions: ActivityOptions = { handler: failuresAsData(readChecks) };
