// Golden plans: the plan JSON of artifacts/ against an empty workspace, and of a changed copy of it (one
// notebook edited, one cluster resized, one job removed with pruning on, one notebook added) against the
// workspace after deploying the original, compared exactly with test/fixtures/plans/. Set
// BRICKLANE_UPDATE_GOLDENS=1 to rewrite them after an intended change, and review the diff.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalWorld } from '../sandbox/LocalWorld';
import { runCliCaptured } from '../sandbox/runCliCaptured';

const ARTIFACTS = resolve(__dirname, '..', '..', 'artifacts');
const GOLDENS = resolve(__dirname, '..', 'fixtures', 'plans');

function expectGolden(name: string, plan: unknown): void {
  const text = `${JSON.stringify(plan, null, 2)}\n`;
  const file = join(GOLDENS, name);
  if (process.env.BRICKLANE_UPDATE_GOLDENS === '1') {
    mkdirSync(GOLDENS, { recursive: true });
    writeFileSync(file, text);
  }
  expect(text, `${name} (BRICKLANE_UPDATE_GOLDENS=1 rewrites it)`).toBe(readFileSync(file, 'utf8'));
}

describe('golden plans of artifacts/', () => {
  let world: LocalWorld;
  let original: string;
  let changed: string;

  beforeAll(async () => {
    world = await LocalWorld.start({ environments: ['golden'], auth: 'token' });
    original = mkdtempSync(join(tmpdir(), 'bricklane-golden-'));
    cpSync(ARTIFACTS, original, { recursive: true });
    changed = mkdtempSync(join(tmpdir(), 'bricklane-golden-changed-'));
    cpSync(ARTIFACTS, changed, { recursive: true });
    const edit = (path: string, change: (text: string) => string): void =>
      writeFileSync(join(changed, path), change(readFileSync(join(changed, path), 'utf8')));
    edit('notebooks/etl/ingest.py', (t) => `${t}\n# changed for the golden plan\n`);
    edit('clusters/small.json', (t) => t.replace('"num_workers": 1', '"num_workers": 3'));
    edit('bricklane.json', (t) => t.replace('"prune": false', '"prune": true'));
    rmSync(join(changed, 'jobs', 'daily-report.json'));
    writeFileSync(
      join(changed, 'notebooks', 'etl', 'validate.py'),
      '# Databricks notebook source\nprint(1)\n',
    );
  });
  afterAll(async () => {
    await world?.stop();
    for (const dir of [original, changed]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const plan = async (dir: string): Promise<unknown> => {
    const run = await runCliCaptured(world, ['plan', dir, '--env', 'golden', '--json']);
    expect(run.code, run.stderr).toBe(0);
    // Cluster ids carry the emulator's clock: live ids are named after their objects instead.
    let text = JSON.stringify((JSON.parse(run.stdout) as { plan: unknown }).plan);
    const snap = world.emulator.snapshot('golden');
    for (const c of snap.clusters) text = text.replaceAll(c.cluster_id, `<id of cluster ${c.cluster_name}>`);
    for (const j of snap.jobs)
      text = text.replaceAll(`"${j.job_id}"`, `"<id of job ${String(j.settings.name)}>"`);
    return JSON.parse(text) as unknown;
  };

  it('plans artifacts/ against an empty workspace', async () => {
    expectGolden('artifacts-empty-workspace.json', await plan(original));
  });

  it('plans a changed copy against the workspace that has the original', async () => {
    const deployed = await runCliCaptured(world, ['deploy', original, '--env', 'golden']);
    expect(deployed.code, deployed.stderr + deployed.stdout).toBe(0);
    expectGolden('artifacts-changed.json', await plan(changed));
  });
});
