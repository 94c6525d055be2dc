// Test infrastructure: the Jobs API run endpoints bricklane's checks call (run-now, runs/get, runs/get-output,
// runs/cancel), served under 2.1 and 2.2 as jobRoutes are; RunStore holds the rules. Starting or cancelling a
// run writes no deployed object, so neither counts as a write (Route.write).
import type { Route } from './Route';

function runRoutesOf(version: '2.1' | '2.2'): Record<string, Route> {
  return {
    [`${version}/jobs/run-now`]: {
      method: 'POST',
      write: false,
      handle(workspace, request) {
        const runId = workspace.runs.runNow(
          request.integer('job_id'),
          request.optionalString('idempotency_token'),
        );
        return { run_id: runId, number_in_job: runId };
      },
    },
    [`${version}/jobs/runs/get`]: {
      method: 'GET',
      handle(workspace, request) {
        return workspace.runs.get(request.integer('run_id'));
      },
    },
    [`${version}/jobs/runs/get-output`]: {
      method: 'GET',
      handle(workspace, request) {
        return workspace.runs.output(request.integer('run_id'));
      },
    },
    [`${version}/jobs/runs/cancel`]: {
      method: 'POST',
      write: false,
      handle(workspace, request) {
        workspace.runs.cancel(request.integer('run_id'));
        return {};
      },
    },
  };
}

export const runRoutes: Record<string, Route> = { ...runRoutesOf('2.1'), ...runRoutesOf('2.2') };
