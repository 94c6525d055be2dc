// Test infrastructure: the emulator's job-run rules over HTTPS: the life cycle on the emulator clock, scripted
// results per job name (also for a workspace created later), cancel, and runs kept with the saved world.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi } from './callApi';
import { DatabricksEmulator } from './DatabricksEmulator';
import type { JsonObject } from './JsonValue';

let emulator: DatabricksEmulator;
let url: string;
let jobId: number;

beforeAll(async () => {
  emulator = await DatabricksEmulator.start({ rateLimits: false });
  const workspace = await emulator.addWorkspace('dev');
  url = emulator.workspaceUrl('dev');
  jobId = workspace.createJob({
    name: 'smoke_test',
    environments: [{ environment_key: 'default', spec: { environment_version: '2' } }],
    tasks: [
      { task_key: 'check', environment_key: 'default', notebook_task: { notebook_path: '/Shared/smoke' } },
    ],
  });
});
afterAll(() => emulator.stop());

async function runNow(token?: string): Promise<number> {
  const answer = await callApi(url, 'POST', '2.2/jobs/run-now', {
    job_id: jobId,
    ...(token ? { idempotency_token: token } : {}),
  });
  expect(answer.status).toBe(200);
  return answer.body['run_id'] as number;
}
const stateOf = async (runId: number): Promise<JsonObject> =>
  (await callApi(url, 'GET', '2.2/jobs/runs/get', { run_id: runId })).body;

describe('job runs', () => {
  it('go PENDING, RUNNING, then TERMINATED SUCCESS on the emulator clock when nothing is scripted', async () => {
    const runId = await runNow();
    const pending = await stateOf(runId);
    expect(pending['state']).toEqual({ life_cycle_state: 'PENDING', state_message: 'Waiting for cluster' });
    expect(pending['run_page_url']).toBe(`${url}/?o=0#job/${jobId}/run/${runId}`);
    expect(pending['end_time']).toBe(0);
    emulator.clock.advance(100);
    expect((await stateOf(runId))['state']).toMatchObject({ life_cycle_state: 'RUNNING' });
    emulator.clock.advance(500);
    const ended = await stateOf(runId);
    expect(ended['state']).toMatchObject({ life_cycle_state: 'TERMINATED', result_state: 'SUCCESS' });
    expect((ended['end_time'] as number) - (ended['start_time'] as number)).toBe(600);
  });

  it('end as scripted per job name, in order, the failed task carrying the error and its trace', async () => {
    emulator.scriptRuns('dev', 'smoke_test', [
      {
        result: 'FAILED',
        message: 'AssertionError: 0 rows',
        errorTrace: 'Traceback ...',
        durationInMs: 1000,
      },
      { result: 'INTERNAL_ERROR', message: 'Cluster launch failed' },
    ]);
    const failed = await runNow();
    const internal = await runNow();
    emulator.clock.advance(1_100);
    const run = await stateOf(failed);
    expect(run['state']).toMatchObject({
      life_cycle_state: 'TERMINATED',
      result_state: 'FAILED',
      state_message: 'AssertionError: 0 rows',
    });
    const taskRunId = (run['tasks'] as JsonObject[])[0]?.['run_id'] as number;
    const output = await callApi(url, 'GET', '2.2/jobs/runs/get-output', { run_id: taskRunId });
    expect(output.body).toMatchObject({ error: 'AssertionError: 0 rows', error_trace: 'Traceback ...' });
    const refused = await callApi(url, 'GET', '2.2/jobs/runs/get-output', { run_id: failed });
    expect(refused.status).toBe(400);
    expect(refused.body['error_code']).toBe('INVALID_PARAMETER_VALUE');
    expect((await stateOf(internal))['state']).toMatchObject({
      life_cycle_state: 'INTERNAL_ERROR',
      result_state: 'FAILED',
    });
    // The script is used up: the next run succeeds.
    const next = await runNow();
    emulator.clock.advance(600);
    expect((await stateOf(next))['state']).toMatchObject({ result_state: 'SUCCESS' });
  });

  it('start one run per idempotency token, and refuse a token over 64 characters', async () => {
    const first = await runNow('release-1-dev-smoke');
    expect(await runNow('release-1-dev-smoke')).toBe(first);
    expect(await runNow('release-2-dev-smoke')).not.toBe(first);
    const long = await callApi(url, 'POST', '2.2/jobs/run-now', {
      job_id: jobId,
      idempotency_token: 'x'.repeat(65),
    });
    expect(long.status).toBe(400);
    const missing = await callApi(url, 'POST', '2.2/jobs/run-now', { job_id: 1 });
    expect(missing.body['error_code']).toBe('INVALID_PARAMETER_VALUE');
  });

  it('end a cancelled run TERMINATED CANCELED, and leave an ended run as it was', async () => {
    emulator.scriptRuns('dev', 'smoke_test', [{ result: 'SUCCESS', durationInMs: 60_000 }]);
    const runId = await runNow();
    emulator.clock.advance(1_000);
    expect((await callApi(url, 'POST', '2.2/jobs/runs/cancel', { run_id: runId })).status).toBe(200);
    const cancelled = await stateOf(runId);
    expect(cancelled['state']).toMatchObject({ life_cycle_state: 'TERMINATED', result_state: 'CANCELED' });
    emulator.clock.advance(120_000);
    await callApi(url, 'POST', '2.2/jobs/runs/cancel', { run_id: runId });
    expect((await stateOf(runId))['end_time']).toBe(cancelled['end_time']);
  });

  it('count run-now and runs/cancel per endpoint but not as writes: a run changes no deployed object', async () => {
    emulator.resetCounters();
    const runId = await runNow();
    await callApi(url, 'POST', '2.2/jobs/runs/cancel', { run_id: runId });
    const counters = emulator.counters('dev');
    expect(counters.byEndpoint).toMatchObject({ '2.2/jobs/run-now': 1, '2.2/jobs/runs/cancel': 1 });
    expect(counters.writes).toBe(0);
  });

  it('go to a workspace created after they were scripted (a release provisions it)', async () => {
    emulator.scriptRuns('later', 'smoke_test', [{ result: 'FAILED', message: 'scripted early' }]);
    const later = await emulator.addWorkspace('later');
    const id = later.createJob({
      name: 'smoke_test',
      tasks: [{ task_key: 'check', notebook_task: { notebook_path: '/Shared/smoke' } }],
    });
    const answer = await callApi(emulator.workspaceUrl('later'), 'POST', '2.2/jobs/run-now', { job_id: id });
    emulator.clock.advance(1_000);
    const run = await callApi(emulator.workspaceUrl('later'), 'GET', '2.2/jobs/runs/get', {
      run_id: answer.body['run_id'] as number,
    });
    expect(run.body['state']).toMatchObject({ result_state: 'FAILED', state_message: 'scripted early' });
  });

  it('keep runs and scripts with the saved world', async () => {
    emulator.scriptRuns('dev', 'smoke_test', [{ result: 'FAILED', message: 'after restart' }]);
    const runId = await runNow();
    emulator.scriptRuns('dev', 'smoke_test', [{ result: 'FAILED', message: 'still scripted' }]);
    const dir = mkdtempSync(join(tmpdir(), 'bricklane-runs-'));
    await emulator.saveTo(dir);
    await emulator.loadFrom(dir);
    url = emulator.workspaceUrl('dev');
    emulator.clock.advance(1_000);
    expect((await stateOf(runId))['state']).toMatchObject({ state_message: 'after restart' });
    const next = await runNow();
    emulator.clock.advance(1_000);
    expect((await stateOf(next))['state']).toMatchObject({ state_message: 'still scripted' });
  });
});
