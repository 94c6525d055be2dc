// Directory import end to end (issue 14): the engine's deployBundle, the real client, the emulator over HTTPS
// and Azurite. New folders of source notebooks go as SOURCE directory imports; a workspace that refuses them,
// or imports them differently from the plan, ends exactly as a per-file deploy leaves it, says so, and is
// imported per file from then on.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployBundle, type DeployReport } from '../../src/activities/engine/deployBundle';
import { LedgerStore } from '../../src/azure/LedgerStore';
import { StaticTokenCredential } from '../../src/databricks/StaticTokenCredential';
import type { Bundle } from '../../src/manifest/Bundle';
import { loadBundle } from '../../src/sources/loadBundle';
import { Azurite } from '../emulator/Azurite';
import { DatabricksEmulator } from '../emulator/DatabricksEmulator';

const ROOT = '/Shared/MyProject/dirtest';
/** Source notebooks in new folders (the directory import's part), and what stays per file beside them. */
const FILES: Record<string, string> = {
  'bricklane.json': JSON.stringify({ notebookRoot: ROOT }),
  'notebooks/ingest/load.py': '# Databricks notebook source\nprint("load")\n',
  'notebooks/ingest/check.sql': '-- Databricks notebook source\nSELECT 1;\n',
  'notebooks/ingest/deep/transform.scala': '// Databricks notebook source\nprintln("t")\n',
  'notebooks/report/daily.py': '# Databricks notebook source\nprint("daily")\n',
  'notebooks/report/weekly.r': '# Databricks notebook source\nprint("weekly")\n',
  // No header: a SOURCE import with its language makes it a notebook; in a zip it would be a file.
  'notebooks/mixed/plain.py': 'print("no header")\n',
  'notebooks/mixed/explore.ipynb': JSON.stringify({
    cells: [],
    metadata: {},
    nbformat: 4,
    nbformat_minor: 5,
  }),
  'notebooks/mixed/conf.yml': 'a: 1\n',
  'notebooks/mixed/with_header.py': '# Databricks notebook source\nprint("mixed")\n',
};

function writeBundle(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/** Folders of the bundle variants, removed after the tests (a deploy reads its files when it writes them). */
const variants: string[] = [];

/** The test bundle with some files changed or added, in a folder of its own. */
async function bundleOf(changes: Record<string, string>): Promise<Bundle> {
  const dir = mkdtempSync(join(tmpdir(), 'bricklane-dirimport-variant-'));
  variants.push(dir);
  writeBundle(dir, { ...FILES, ...changes });
  return load(dir);
}

async function load(dir: string): Promise<Bundle> {
  const loaded = await loadBundle(dir);
  if (!loaded.bundle) throw new Error(JSON.stringify(loaded.diagnostics));
  return loaded.bundle;
}

describe('directory import of new folders', () => {
  let emulator: DatabricksEmulator;
  let azurite: Azurite;
  let ledgerStore: LedgerStore;
  let dir: string;
  let bundle: Bundle;

  const deploy = async (env: string, b: Bundle, directoryImport?: boolean): Promise<DeployReport> => {
    if (!emulator.workspaceNames().includes(env)) await emulator.addWorkspace(env);
    const report = await deployBundle({
      environment: env,
      workspace: {
        url: emulator.workspaceUrl(env),
        credential: new StaticTokenCredential(DatabricksEmulator.defaultToken),
      },
      bundle: b,
      ledgerStore,
      maxInFlight: 8,
      apply: true,
      ...(directoryImport !== undefined ? { directoryImport } : {}),
    });
    expect(report.outcomes?.filter((o) => o.status !== 'done')).toEqual([]);
    return report;
  };
  const imports = (r: DeployReport): number => r.requests.byEndpoint['workspace/import'] ?? 0;
  /** What a workspace holds under the deploy root: notebooks with language and hash, files with hash, folders. */
  const stateOf = (env: string) => {
    const snap = emulator.snapshot(env);
    const folders = emulator
      .workspace(env)
      .tree.entries()
      .filter(([path, o]) => o.type === 'DIRECTORY' && path.startsWith(ROOT))
      .map(([path]) => path);
    return { notebooks: snap.notebooks, files: snap.workspaceFiles, folders };
  };

  beforeAll(async () => {
    [emulator, azurite] = await Promise.all([DatabricksEmulator.start(), Azurite.start()]);
    ledgerStore = new LedgerStore(
      BlobServiceClient.fromConnectionString(azurite.connectionString),
      'directory-import-ledger',
    );
    dir = mkdtempSync(join(tmpdir(), 'bricklane-dirimport-'));
    writeBundle(dir, FILES);
    bundle = await load(dir);
    // The reference state: today's per-file path.
    const perFile = await deploy('perfile', bundle, false);
    expect(imports(perFile)).toBe(bundle.notebooks.length + bundle.files.length);
  });
  afterAll(async () => {
    await Promise.allSettled([emulator?.stop(), azurite?.stop()]);
    for (const d of [dir, ...variants]) rmSync(d, { recursive: true, force: true });
  });

  it('imports the new folders of source notebooks whole and ends as the per-file path does', async () => {
    const report = await deploy('dir', bundle);
    // ingest/ and report/ hold only headed source notebooks: one import each (the root holds mixed/ too, so it
    // is not imported whole); mixed/ goes per file: 4 objects.
    expect(imports(report)).toBe(2 + 4);
    expect(report.notices).toBeUndefined();
    expect(stateOf('dir')).toEqual(stateOf('perfile'));
    const ledger = (await ledgerStore.read('dir')).ledger;
    const perFileLedger = (await ledgerStore.read('perfile')).ledger;
    const hashes = (l: typeof ledger) =>
      Object.fromEntries(Object.entries(l.entries).map(([k, e]) => [k, [e.hash, e.target]]));
    expect(hashes(ledger)).toEqual(hashes(perFileLedger));
    expect(ledger.directoryImport).toBeUndefined();
  });

  it('costs exactly one write to change one notebook after a directory-imported deploy', async () => {
    const again = await deploy('dir', bundle);
    expect(again.requests.writes).toBe(0);
    const changed = await deploy(
      'dir',
      await bundleOf({
        'notebooks/report/daily.py': '# Databricks notebook source\nprint("daily, changed")\n',
      }),
    );
    expect(changed.requests.writes).toBe(1);
    expect(changed.requests.byEndpoint['workspace/import']).toBe(1);
  });

  it('falls back to per-file imports when the workspace refuses a directory import, says so, and remembers it', async () => {
    await emulator.addWorkspace('refused');
    emulator.workspace('refused').tree.directoryImportFault = 'refuse';
    const report = await deploy('refused', bundle);
    expect(stateOf('refused')).toEqual(stateOf('perfile'));
    expect(report.notices?.join('\n')).toMatch(
      /directory import fell back to per-file imports .* in refused: .*INVALID_PARAMETER_VALUE.*later deploys to refused import per file/,
    );
    expect((await ledgerStore.read('refused')).ledger.directoryImport?.reason).toMatch(/not supported/);

    // A new folder next time goes per file straight away: no directory import is tried.
    const next = await deploy(
      'refused',
      await bundleOf({
        'notebooks/extra/one.py': '# Databricks notebook source\nprint(1)\n',
        'notebooks/extra/two.py': '# Databricks notebook source\nprint(2)\n',
      }),
    );
    expect(next.requests.byEndpoint['workspace/import']).toBe(2);
    expect(next.notices).toBeUndefined();
  });

  it('falls back when the listing after a directory import differs from the plan, leaving nothing of it behind', async () => {
    await emulator.addWorkspace('asfiles');
    // The workspace takes the zip but makes workspace files of it (load.py as a FILE, not the notebook load).
    emulator.workspace('asfiles').tree.directoryImportFault = 'asFiles';
    const report = await deploy('asfiles', bundle);
    expect(stateOf('asfiles')).toEqual(stateOf('perfile'));
    expect(report.notices?.join('\n')).toMatch(
      /the listing of .* after the import differs from the plan: .*FILE/,
    );
    expect((await ledgerStore.read('asfiles')).ledger.directoryImport).toBeDefined();
  });

  it('finds a directory import whose answer was lost by listing it: no fallback, the same state', async () => {
    await emulator.addWorkspace('lost');
    // The first import (a directory import: they go before the per-file ones) is applied, its answer lost.
    emulator.faults({ endpoints: ['2.0/workspace/import'], workspaces: ['lost'], sequence: ['reset-after'] });
    try {
      const report = await deploy('lost', bundle);
      expect(emulator.counters('lost').faults).toBeGreaterThan(0);
      // The repeat met RESOURCE_ALREADY_EXISTS; the listing showed the planned folder.
      expect(imports(report)).toBe(2 + 1 + 4);
      expect(report.notices).toBeUndefined();
    } finally {
      emulator.clearFaults();
    }
    expect(stateOf('lost')).toEqual(stateOf('perfile'));
    expect((await ledgerStore.read('lost')).ledger.directoryImport).toBeUndefined();
  });

  it('imports per file when the option is off, as before', async () => {
    const report = await deploy('off', bundle, false);
    expect(imports(report)).toBe(bundle.notebooks.length + bundle.files.length);
    expect(stateOf('off')).toEqual(stateOf('perfile'));
  });
});
