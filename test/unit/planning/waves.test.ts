import { describe, expect, it } from 'vitest';
import type { PlanStep } from '../../../src/planning/DeployPlan';
import {
  PRUNE_WAVE,
  WAVE_OF_KIND,
  batchKeys,
  decideWave,
  stepsOfWave,
  waveNamed,
  WAVES,
  type WaveTally,
} from '../../../src/planning/waves';

const ok = (wave: WaveTally['wave']): WaveTally => ({ wave, failed: 0, skipped: 0 });
const bad = (wave: WaveTally['wave']): WaveTally => ({ wave, failed: 1, skipped: 0 });

describe('the one list of waves', () => {
  it('is written in deploy order, and plan order follows it', () => {
    expect(WAVES.map((w) => w.name)).toEqual([
      'initScripts',
      'policies',
      'clusters',
      'secrets',
      'files',
      'jobs',
      'permissions',
      'lifecycle',
      'prune',
    ]);
    expect(WAVE_OF_KIND).toEqual({
      initScripts: 0,
      policies: 1,
      clusters: 2,
      secrets: 3,
      notebooks: 4,
      files: 4,
      jobs: 5,
      permissions: 6,
    });
    expect(PRUNE_WAVE).toBe(7);
    expect(WAVES.filter((w) => w.batched).map((w) => w.name)).toEqual(['files']);
  });

  it.each([
    ['clusters', [bad('initScripts')], 'an init script or cluster policy failed to deploy'],
    ['clusters', [ok('initScripts'), bad('policies')], 'an init script or cluster policy failed to deploy'],
    ['jobs', [bad('policies')], 'a cluster, policy or notebook it may use failed to deploy'],
    ['permissions', [ok('clusters'), bad('jobs')], 'an object they are set on failed to deploy'],
    ['permissions', [bad('initScripts'), ok('jobs')], undefined],
    ['clusters', [ok('initScripts')], undefined],
    ['files', [bad('initScripts'), bad('clusters')], undefined],
    ['jobs', [ok('clusters'), bad('files')], 'a cluster, policy or notebook it may use failed to deploy'],
    [
      'jobs',
      [{ wave: 'clusters', failed: 0, skipped: 0, drift: ['clusters.Small'] }],
      'a cluster, policy or notebook it may use failed to deploy',
    ],
    ['jobs', [bad('initScripts'), ok('clusters'), ok('files')], undefined],
    ['lifecycle', [bad('files'), bad('jobs')], undefined],
    ['prune', [ok('clusters'), { wave: 'lifecycle', failed: 0, skipped: 1 }], 'the deploy had failures'],
    ['prune', [ok('clusters'), ok('files')], undefined],
  ] as const)('%s after %j: skip %s', (name, before, skip) => {
    const decision = decideWave(waveNamed(name), true, before);
    expect(decision).toEqual(skip === undefined ? { run: true } : { run: false, skip });
  });

  it('leaves out a wave with nothing to do, whatever came before', () => {
    expect(decideWave(waveNamed('jobs'), false, [bad('clusters')])).toEqual({ run: false });
  });

  it('gives each wave its steps', () => {
    const step = (key: string, kind: PlanStep['kind'], action: PlanStep['action']): PlanStep => ({
      key,
      kind,
      action,
      wave: 0,
      target: key,
      reason: '',
    });
    const steps = [
      step('clusters.a', 'clusters', 'update'),
      step('notebooks./x', 'notebooks', 'create'),
      step('files./y', 'files', 'unchanged'),
      step('jobs.old', 'jobs', 'delete'),
    ];
    expect(stepsOfWave(steps, waveNamed('files')).map((s) => s.key)).toEqual(['notebooks./x', 'files./y']);
    expect(stepsOfWave(steps, waveNamed('jobs'))).toEqual([]);
    expect(stepsOfWave(steps, waveNamed('prune')).map((s) => s.key)).toEqual(['jobs.old']);
    expect(stepsOfWave(steps, waveNamed('lifecycle'))).toEqual([]);
  });

  it('cuts batches from the keys in sorted order', () => {
    expect([...batchKeys(['c', 'a', 'd', 'b', 'e'], 1, 2)]).toEqual(['c', 'd']);
    expect([...batchKeys(['c', 'a'], 3, 2)]).toEqual([]);
  });
});
