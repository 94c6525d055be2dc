// Orchestration tests: a permanent failure, returned as data by any step, ends the release at once in the
// same way: the stage it happened in is failed with the message and the fix, the channel is told, and the
// release finishes `failed`, after ONE attempt of the step (no retries) and with every lock given back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORCHESTRATIONS, type PermanentFailure } from '../../src/activities/contracts';
import { Azurite } from '../emulator/Azurite';
import { FastForwardClock } from '../sandbox/host/FastForwardClock';
import { FunctionHost } from '../sandbox/host/FunctionHost';
import { loadFunctionApp } from '../sandbox/host/loadFunctionApp';
import { activityScript } from './fixtures/activityScript';
import {
  expectDeterministic,
  finished,
  RELEASE_APP,
  releaseInput,
  schedule,
  scheduledCalls,
  stageOf,
  startRelease,
} from './fixtures/releaseHarness';

const SECRET: PermanentFailure = {
  code: 'SecretNotFound',
  message: 'azure: Key Vault KeyVault-MyProject-Qa has no secret "databricks-dev-ops-client-secret".',
  fix: 'az keyvault secret set --vault-name KeyVault-MyProject-Qa --name databricks-dev-ops-client-secret --value <value>',
};

describe('permanent failures end the release as data', () => {
  const clock = new FastForwardClock();
  let azurite: Azurite;
  let host: FunctionHost;

  beforeAll(async () => {
    const app = await loadFunctionApp(RELEASE_APP);
    azurite = await Azurite.start();
    host = await FunctionHost.start({ app, storageConnectionString: azurite.connectionString, clock });
  });
  afterAll(async () => {
    await host?.stop();
    await azurite?.stop();
  });

  it('a plan that fails permanently fails its stage with the fix, tells the channel, and stops after one attempt', async () => {
    const id = 'r-fail-plan';
    activityScript.set(id, { fail: { 'planEnvironment:qa': SECRET } });
    await startRelease(host, releaseInput(id, ['dev', 'qa', 'prod']));
    const output = await finished(host, id);

    expect(output.state).toBe('failed');
    expect(output.message).toBe('qa failed (SecretNotFound); fix it and re-run the release');
    expect(stageOf(output, 'qa')).toMatchObject({
      state: 'failed',
      message: SECRET.message,
      fix: SECRET.fix,
    });
    expect(output.stages.map((s) => s.state)).toEqual(['succeeded', 'failed', 'skipped']);
    expect(activityScript.count(id, 'planEnvironment:qa')).toBe(1);
    expect(schedule(host.durable.history(id)).slice(-2)).toEqual([
      'TaskScheduled#6 planEnvironment:qa',
      'TaskScheduled#7 notify:qa:failed',
    ]);
    const notice = activityScript.calls(id).find((c) => c.key === 'notify:qa:failed');
    expect(notice?.input).toMatchObject({ message: SECRET.message, fix: SECRET.fix });
    expectDeterministic(host);
  });

  it('a wave that fails permanently inside deployEnvironment fails the stage the same way and gives the lock back', async () => {
    const id = 'r-fail-wave';
    const refused: PermanentFailure = {
      code: 'WorkspaceTokenRefused',
      message: 'databricks clusters/list: 401 invalid access token',
      fix: 'give the identity access to the workspace',
    };
    activityScript.set(id, { fail: { 'applyWave:dev:clusters': refused } });
    await startRelease(host, releaseInput(id, ['dev', 'qa']));
    const output = await finished(host, id);

    expect(stageOf(output, 'dev')).toMatchObject({
      state: 'failed',
      message: refused.message,
      fix: refused.fix,
    });
    expect(output.stages.map((s) => s.state)).toEqual(['failed', 'skipped']);
    // Nothing after the failed wave ran, and the wave ran once.
    expect(scheduledCalls(host.durable.history(`${id}:dev`))).toEqual([
      'provisionEnvironment:dev',
      'applyWave:dev:initScripts',
      'applyWave:dev:clusters',
    ]);
    expect(schedule(host.durable.history(id)).slice(-3)).toEqual([
      `SubOrchestrationInstanceCreated#3 ${ORCHESTRATIONS.deployEnvironment} ${id}:dev`,
      'TaskScheduled#4 releaseEnvironment:dev:applying',
      'TaskScheduled#5 notify:dev:failed',
    ]);
    expectDeterministic(host);
  });

  it('a failure before any stage (inspecting the bundle) fails the release with its fix', async () => {
    const id = 'r-fail-inspect';
    const invalid: PermanentFailure = {
      code: 'StagedBundleInvalid',
      message: 'the staged bundle does not match its id',
      fix: 'stage the bundle again and start a new release',
    };
    activityScript.set(id, { fail: { inspectBundle: invalid } });
    await startRelease(host, releaseInput(id, ['dev']));
    const output = await finished(host, id);
    expect(output).toMatchObject({ state: 'failed', message: invalid.message, fix: invalid.fix });
    expect(output.stages.map((s) => s.state)).toEqual(['skipped']);
    expect(scheduledCalls(host.durable.history(id))).toEqual(['inspectBundle']);
  });
});
