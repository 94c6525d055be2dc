// I/O: the Jobs API 2.2 run calls of DatabricksWorkspaceClient (https://docs.databricks.com/api/azure/workspace/jobs),
// one HTTP call each, closed over the client's transport. A check is a job of the bundle started with run-now
// and read with runs/get until it ends.
import type { DatabricksOperationOptions } from './DatabricksClientOptions';
import { optionalString, requireNumber, type DatabricksTransport } from './DatabricksTransport';

/** A run's state (runs/get `state`): life_cycle_state PENDING, RUNNING, TERMINATING, TERMINATED, SKIPPED, INTERNAL_ERROR, ... */
export interface RunState {
  life_cycle_state?: string;
  /** Once ended: SUCCESS, FAILED, TIMEDOUT, CANCELED, ... */
  result_state?: string;
  state_message?: string;
}

export interface RunInfo {
  run_id: number;
  job_id?: number;
  state?: RunState;
  run_page_url?: string;
  /** Epoch milliseconds; end_time is 0 while the run has not ended. */
  start_time?: number;
  end_time?: number;
  /** The task runs (multi-task jobs): runs/get-output takes one of these ids. */
  tasks?: { task_key?: string; run_id: number; state?: RunState }[];
}

export interface RunOutput {
  /** Why the task run failed, when it did. */
  error?: string;
  error_trace?: string;
}

export type RunsApi = ReturnType<typeof runsApi>;

export function runsApi(transport: DatabricksTransport) {
  return {
    /**
     * Starts a run of the job and returns its id. With an idempotency token (at most 64 characters) a repeat
     * starts nothing and answers the run the token started, so the call is safe to retry.
     */
    async runNow(
      jobId: number,
      idempotencyToken: string,
      options: DatabricksOperationOptions = {},
    ): Promise<number> {
      const result = await transport.send(
        {
          method: 'POST',
          version: '2.2',
          endpoint: 'jobs/run-now',
          body: { job_id: jobId, idempotency_token: idempotencyToken },
          idempotent: true,
        },
        options,
      );
      return requireNumber(result, 'run_id', 'jobs/run-now');
    },

    async getRun(runId: number, options: DatabricksOperationOptions = {}): Promise<RunInfo> {
      const result = await transport.send(
        {
          method: 'GET',
          version: '2.2',
          endpoint: 'jobs/runs/get',
          query: { run_id: runId },
          idempotent: true,
        },
        options,
      );
      requireNumber(result, 'run_id', 'jobs/runs/get');
      return result as unknown as RunInfo;
    },

    /** The output of one task run (a multi-task job run's id is refused: pass one of its `tasks[].run_id`). */
    async getRunOutput(taskRunId: number, options: DatabricksOperationOptions = {}): Promise<RunOutput> {
      const result = await transport.send(
        {
          method: 'GET',
          version: '2.2',
          endpoint: 'jobs/runs/get-output',
          query: { run_id: taskRunId },
          idempotent: true,
        },
        options,
      );
      const error = optionalString(result.error);
      const trace = optionalString(result.error_trace);
      return {
        ...(error !== undefined ? { error } : {}),
        ...(trace !== undefined ? { error_trace: trace } : {}),
      };
    },

    /** Cancels the run; cancelling a run that has ended changes nothing, so a repeat is safe. */
    async cancelRun(runId: number, options: DatabricksOperationOptions = {}): Promise<void> {
      await transport.send(
        {
          method: 'POST',
          version: '2.2',
          endpoint: 'jobs/runs/cancel',
          body: { run_id: runId },
          idempotent: true,
        },
        options,
      );
    },
  };
}
