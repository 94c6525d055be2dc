// The deployed-file store and the stage's code diff against Azurite: what an apply keeps is read back by the
// ledger's hash, checked against it, and compared with the bundle's file within the stage's bounds.
import { BlobServiceClient } from '@azure/storage-blob';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeployedFileStore, deployedFileBlob } from '../../src/azure/DeployedFileStore';
import { ReleaseStorage } from '../../src/azure/ReleaseStorage';
import {
  DEFAULT_STAGE_CODE_DIFF_LIMITS,
  diffStageCode,
  type StageCodeDiffLimits,
} from '../../src/activities/engine/diffStageCode';
import { keepDeployedFiles } from '../../src/activities/engine/keepDeployedFiles';
import type { Bundle } from '../../src/manifest/Bundle';
import type { PlanStep } from '../../src/planning/DeployPlan';
import type { Ledger } from '../../src/planning/Ledger';
import { loadBundle } from '../../src/sources/loadBundle';
import { materializeBundle } from '../../src/sources/materializeBundle';
import { stageBundle } from '../../src/sources/stageBundle';
import { Azurite } from '../emulator/Azurite';

const sha256 = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');

describe('the code diff of a stage, against Azurite', () => {
  let azurite: Azurite;
  let storage: ReleaseStorage;
  let store: DeployedFileStore;
  const dirs: string[] = [];

  beforeAll(async () => {
    azurite = await Azurite.start();
    storage = new ReleaseStorage(BlobServiceClient.fromConnectionString(azurite.connectionString));
    store = new DeployedFileStore(storage);
  });
  afterAll(async () => {
    await azurite.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** A bundle folder of notebooks (name -> content), loaded as the release loads it. */
  async function bundleOf(notebooks: Record<string, string | Buffer>): Promise<Bundle> {
    const dir = mkdtempSync(join(tmpdir(), 'bricklane-stage-diff-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'notebooks'));
    for (const [name, content] of Object.entries(notebooks))
      writeFileSync(join(dir, 'notebooks', name), content);
    const loaded = await loadBundle(dir);
    if (!loaded.bundle) throw new Error(JSON.stringify(loaded.diagnostics));
    return loaded.bundle;
  }
  const stepsOf = (bundle: Bundle, actions: Record<string, 'create' | 'update' | 'unchanged'>): PlanStep[] =>
    bundle.notebooks.map((n) => ({
      key: n.key,
      kind: 'notebooks',
      action: actions[n.source.slice('notebooks/'.length)] ?? 'unchanged',
      wave: 4,
      target: n.target,
      reason: 'test',
    }));
  const ledgerOf = (hashes: Record<string, string>, bundle: Bundle): Ledger => ({
    version: 1,
    environment: 'qa',
    entries: Object.fromEntries(
      bundle.notebooks
        .filter((n) => hashes[n.source.slice('notebooks/'.length)])
        .map((n) => [
          n.key,
          {
            hash: hashes[n.source.slice('notebooks/'.length)] ?? '',
            target: n.target,
            deployedAt: new Date().toISOString(),
          },
        ]),
    ),
  });

  it('keeps a file once by its hash, reads it back whole or as a size, and refuses bytes that do not match', async () => {
    const bytes = Buffer.from('# Databricks notebook source\nprint(1)\n');
    await store.keep(sha256(bytes), bytes);
    await store.keep(sha256(bytes), bytes);
    expect(await store.read(sha256(bytes), 1024)).toEqual({ size: bytes.length, bytes });
    expect(await store.read(sha256(bytes), 10)).toEqual({ size: bytes.length });
    expect(await store.read(sha256('never kept'), 1024)).toBeUndefined();
    // Someone writes other bytes under a file's name: not trusted.
    const forged = sha256('the real content');
    await storage.container.getBlockBlobClient(deployedFileBlob(forged)).upload('other', 5);
    expect(await store.read(forged, 1024)).toBeUndefined();
  });

  it('compares what the ledger says runs now with the bundle: updates first, each within its bounds', async () => {
    const old = {
      'a.py': '# Databricks notebook source\nx = 1\ny = 2\n',
      'd.py': '# Databricks notebook source\nsmall\n',
    };
    const deployed = await bundleOf(old);
    // The apply of `deployed` keeps what it wrote; the unchanged step keeps nothing.
    await keepDeployedFiles(store, deployed, [
      { key: deployed.notebooks[0]?.key ?? '', action: 'create', status: 'done' },
      { key: deployed.notebooks[1]?.key ?? '', action: 'unchanged', status: 'done' },
    ]);
    await store.keep(sha256(old['d.py']), Buffer.from(old['d.py']));
    const bundle = await bundleOf({
      'a.py': '# Databricks notebook source\nx = 1\ny = 3\n',
      'b.py': '# Databricks notebook source\nnew\n',
      'c.py': '# Databricks notebook source\nchanged, but what runs now was never kept\n',
      'd.py': `# Databricks notebook source\n${'z'.repeat(300)}\n`,
      'e.py': '# Databricks notebook source\nlast\n',
    });
    const limits: StageCodeDiffLimits = {
      ...DEFAULT_STAGE_CODE_DIFF_LIMITS,
      maxFiles: 4,
      file: { ...DEFAULT_STAGE_CODE_DIFF_LIMITS.file, maxFileBytes: 200 },
    };
    const diff = await diffStageCode({
      environment: 'qa',
      bundle,
      steps: stepsOf(bundle, {
        'a.py': 'update',
        'b.py': 'create',
        'c.py': 'update',
        'd.py': 'update',
        'e.py': 'create',
      }),
      ledger: ledgerOf(
        { 'a.py': sha256(old['a.py']), 'c.py': sha256('not kept'), 'd.py': sha256(old['d.py']) },
        bundle,
      ),
      store,
      limits,
    });
    const by = (name: string) => diff.files.find((f) => f.target.endsWith(`/${name}`));
    expect(diff.files.map((f) => [f.target.split('/').at(-1), f.action, f.status])).toEqual([
      ['a', 'update', 'text'],
      ['c', 'update', 'notKept'],
      ['d', 'update', 'oversize'],
      ['b', 'create', 'text'],
    ]);
    expect(by('a')?.hunks?.[0]?.lines).toEqual([
      ' # Databricks notebook source',
      ' x = 1',
      '-y = 2',
      '+y = 3',
    ]);
    expect(by('d')).toMatchObject({ beforeSize: old['d.py'].length, afterSize: 330 });
    expect(diff.omittedFiles).toBe(1);
    expect(diff.size).toEqual({ files: 5, added: 3, removed: 1, uncounted: 3 });

    // Out of time: every file is listed, none compared.
    const late = await diffStageCode({
      environment: 'qa',
      bundle,
      steps: stepsOf(bundle, { 'a.py': 'update' }),
      ledger: ledgerOf({ 'a.py': sha256(old['a.py']) }, bundle),
      store,
      limits: { ...limits, timeoutInMs: -1 },
    });
    expect(late.files.map((f) => f.status)).toEqual(['skipped']);
  });

  it('finds a file deployed before the store existed in the last known good bundle, by its hash', async () => {
    const oldText = '# Databricks notebook source\nprint("from the known good bundle")\n';
    const known = await bundleOf({ 'g.py': oldText });
    const { bundleId } = await stageBundle(storage, known.root);
    const bundle = await bundleOf({ 'g.py': `${oldText}print("and a new line")\n`, 'h.py': 'x\n' });
    const cache = mkdtempSync(join(tmpdir(), 'bricklane-stage-diff-cache-'));
    dirs.push(cache);
    const ledger = ledgerOf({ 'g.py': sha256(oldText), 'h.py': sha256('kept nowhere') }, bundle);
    const steps = stepsOf(bundle, { 'g.py': 'update', 'h.py': 'update' });
    const diff = await diffStageCode({
      environment: 'qa',
      bundle,
      steps,
      ledger,
      store,
      earlierBundle: () => materializeBundle(storage, bundleId, cache),
    });
    expect(diff.files.map((f) => f.status)).toEqual(['text', 'notKept']);
    expect(diff.files[0]?.hunks?.[0]?.lines.at(-1)).toBe('+print("and a new line")');
    // A known good bundle that is gone from storage leaves the file "not kept", and the plan goes on.
    const gone = await diffStageCode({
      environment: 'qa',
      bundle,
      steps,
      ledger,
      store,
      earlierBundle: () => materializeBundle(storage, 'f'.repeat(64), cache),
    });
    expect(gone.files.map((f) => f.status)).toEqual(['notKept', 'notKept']);
  });
});
