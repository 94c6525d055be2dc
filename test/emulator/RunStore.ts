// Test infrastructure: the job runs of one workspace (Jobs API 2.2 run-now, runs/get, runs/get-output,
// runs/cancel; https://docs.databricks.com/api/azure/workspace/jobs). A run's state is computed from the
// emulator clock, so a test reaches "the run has ended" by advancing the clock, not by waiting:
// PENDING for its pending time, RUNNING for its duration, then TERMINATED with a result state (or
// INTERNAL_ERROR / SKIPPED, which have no running phase). What a run of a job ends with is scripted per job
// name (scriptRuns); an unscripted run succeeds.
// Rules: run-now's idempotency_token has at most 64 characters, and a run-now with the token of an existing run
// starts nothing and answers that run's id ("Databricks guarantees that exactly one run is launched with that
// idempotency token"); runs/get-output answers a task run only: a job run with tasks is refused with
// INVALID_PARAMETER_VALUE (databricks-sdk-py #997, databricks-sdk-go #375, apache/airflow #25427); a cancel of
// an ended run changes nothing, and a cancelled run ends TERMINATED with result_state CANCELED.
import { ApiError } from './ApiError';
import type { IdSequences } from './IdSequences';
import type { JobStore } from './JobStore';
import type { JsonObject } from './JsonValue';

/** How a scripted run ends. INTERNAL_ERROR and SKIPPED are life-cycle states; the rest are result states. */
export type ScriptedResult = 'SUCCESS' | 'FAILED' | 'TIMEDOUT' | 'INTERNAL_ERROR' | 'SKIPPED';

export interface ScriptedRun {
  result: ScriptedResult;
  /** The run's state_message and its failed task's `error` (runs/get-output). */
  message?: string;
  /** Time RUNNING (default 500 ms). */
  durationInMs?: number;
  /** Time PENDING before it (default 100 ms). */
  pendingInMs?: number;
  /** The failed task's `error_trace`. */
  errorTrace?: string;
}

export interface RunRecord {
  runId: number;
  jobId: number;
  idempotencyToken?: string;
  createdAt: number;
  script: ScriptedRun;
  /** One task run per task of the job at run-now. */
  tasks: { taskKey: string; runId: number }[];
  cancelledAt?: number;
}

export interface SavedRuns {
  runs: RunRecord[];
  scripts: Record<string, ScriptedRun[]>;
}

const TOKEN_LIMIT = 64;
const MULTI_TASK_OUTPUT =
  'Retrieving the output of runs with multiple tasks is not supported. Please retrieve the output of each individual task run instead.';

export class RunStore {
  private readonly runs = new Map<number, RunRecord>();
  /** The next outcomes of each job's runs, by job name, used in order. */
  private scripts: Record<string, ScriptedRun[]> = {};

  constructor(
    private readonly ids: IdSequences,
    private readonly now: () => number,
    private readonly jobs: JobStore,
    /** The workspace's origin, for run_page_url. */
    private readonly origin: () => string,
  ) {}

  /** The next runs of the job named `jobName` end as scripted, one entry per run; afterwards they succeed. */
  script(jobName: string, runs: readonly ScriptedRun[]): void {
    this.scripts[jobName] = [...(this.scripts[jobName] ?? []), ...runs.map((r) => ({ ...r }))];
  }

  runNow(jobId: number, idempotencyToken: string | undefined): number {
    if (idempotencyToken !== undefined && idempotencyToken.length > TOKEN_LIMIT) {
      throw ApiError.invalidParameter(`idempotency_token must have at most ${TOKEN_LIMIT} characters`);
    }
    const job = this.jobs.records().find((j) => j.jobId === jobId);
    if (!job) throw new ApiError(400, 'INVALID_PARAMETER_VALUE', `Job ${jobId} does not exist.`);
    if (idempotencyToken !== undefined) {
      const existing = [...this.runs.values()].find((r) => r.idempotencyToken === idempotencyToken);
      if (existing) return existing.runId;
    }
    const name = typeof job.settings['name'] === 'string' ? job.settings['name'] : '';
    const script = this.scripts[name]?.shift() ?? { result: 'SUCCESS' };
    const tasks = Array.isArray(job.settings['tasks']) ? job.settings['tasks'] : [];
    const runId = this.ids.take('run');
    this.runs.set(runId, {
      runId,
      jobId,
      ...(idempotencyToken !== undefined ? { idempotencyToken } : {}),
      createdAt: this.now(),
      script,
      tasks: tasks.map((task, index) => ({
        taskKey: String((task as JsonObject)['task_key'] ?? `task_${index}`),
        runId: this.ids.take('run'),
      })),
    });
    return runId;
  }

  get(runId: number): JsonObject {
    const run = this.require(runId);
    const state = this.stateOf(run);
    return {
      job_id: run.jobId,
      run_id: run.runId,
      number_in_job: run.runId,
      run_page_url: `${this.origin()}/?o=0#job/${run.jobId}/run/${run.runId}`,
      start_time: run.createdAt,
      end_time: state.endTime ?? 0,
      state: state.json,
      tasks: run.tasks.map((task) => ({
        task_key: task.taskKey,
        run_id: task.runId,
        start_time: run.createdAt,
        end_time: state.endTime ?? 0,
        state: state.json,
      })),
    };
  }

  /** runs/get-output of a task run; a job run with tasks is refused (see the header). */
  output(runId: number): JsonObject {
    const parent = this.runs.get(runId);
    if (parent && parent.tasks.length > 0) throw ApiError.invalidParameter(MULTI_TASK_OUTPUT);
    const run = parent ?? [...this.runs.values()].find((r) => r.tasks.some((t) => t.runId === runId));
    if (!run) throw ApiError.doesNotExist(`Run ${runId} does not exist.`);
    const state = this.stateOf(run);
    // The first task carries the failure (the others were skipped behind it, or ran).
    const failedHere = run.tasks.length === 0 || run.tasks[0]?.runId === runId;
    const failed = state.json['result_state'] === 'FAILED' && failedHere;
    return {
      metadata: { job_id: run.jobId, run_id: runId, state: state.json },
      ...(failed ? { error: run.script.message ?? 'Run failed' } : {}),
      ...(failed && run.script.errorTrace !== undefined ? { error_trace: run.script.errorTrace } : {}),
    };
  }

  cancel(runId: number): void {
    const run = this.require(runId);
    if (this.stateOf(run).endTime === undefined) run.cancelledAt = this.now();
  }

  records(): RunRecord[] {
    return [...this.runs.values()];
  }

  toJSON(): SavedRuns {
    return { runs: this.records(), scripts: this.scripts };
  }

  restore(saved: SavedRuns | undefined): void {
    this.runs.clear();
    for (const run of saved?.runs ?? []) this.runs.set(run.runId, run);
    this.scripts = saved?.scripts ?? {};
  }

  private require(runId: number): RunRecord {
    const run = this.runs.get(runId);
    if (!run) throw ApiError.doesNotExist(`Run ${runId} does not exist.`);
    return run;
  }

  private stateOf(run: RunRecord): { json: JsonObject; endTime?: number } {
    const now = this.now();
    const pending = run.script.pendingInMs ?? 100;
    const running = run.script.durationInMs ?? 500;
    const { result } = run.script;
    const noRun = result === 'INTERNAL_ERROR' || result === 'SKIPPED';
    const endsAt = run.createdAt + pending + (noRun ? 0 : running);
    if (run.cancelledAt !== undefined && run.cancelledAt < endsAt) {
      return {
        json: {
          life_cycle_state: 'TERMINATED',
          result_state: 'CANCELED',
          state_message: 'Run cancelled.',
          user_cancelled_or_timedout: true,
        },
        endTime: run.cancelledAt,
      };
    }
    if (now < run.createdAt + pending) {
      return { json: { life_cycle_state: 'PENDING', state_message: 'Waiting for cluster' } };
    }
    if (now < endsAt) return { json: { life_cycle_state: 'RUNNING', state_message: 'In run' } };
    const message = result === 'SUCCESS' ? '' : (run.script.message ?? '');
    if (noRun) {
      return {
        json: {
          life_cycle_state: result,
          ...(result === 'INTERNAL_ERROR' ? { result_state: 'FAILED' } : {}),
          state_message: message,
        },
        endTime: endsAt,
      };
    }
    return {
      json: {
        life_cycle_state: 'TERMINATED',
        result_state: result,
        state_message: message,
        user_cancelled_or_timedout: result === 'TIMEDOUT',
      },
      endTime: endsAt,
    };
  }
}
