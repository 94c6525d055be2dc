// What the directory imports hold at once (issue 14's memory goal): each import in flight holds its zip and
// its body several times over, so the importer bounds them by planned zip bytes as well as by count. The
// workspace client is the real one against the emulator, with its importWorkspaceDirectory watched.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApplyContext } from '../../src/activities/engine/ApplyContext';
import { IMPORT_ZIP_BYTES_IN_FLIGHT, importNewFolders } from '../../src/activities/engine/importNewFolders';
import { DatabricksWorkspaceClient } from '../../src/databricks/DatabricksWorkspaceClient';
import { StaticTokenCredential } from '../../src/databricks/StaticTokenCredential';
import type { Bundle } from '../../src/manifest/Bundle';
import type { PlanStep } from '../../src/planning/DeployPlan';
import { loadBundle } from '../../src/sources/loadBundle';
import { DatabricksEmulator } from '../emulator/DatabricksEmulator';

const ROOT = '/Shared/MyProject/inflight';
/** Each notebook's zip bound is over a third of the budget, so three such imports never fit in it together. */
const NOTEBOOK_BYTES = Math.ceil(IMPORT_ZIP_BYTES_IN_FLIGHT / 3) + 100_000;
const FOLDERS = ['a', 'b', 'c', 'd', 'e'];

describe('directory imports in flight', () => {
  let emulator: DatabricksEmulator;
  let dir: string;
  let bundle: Bundle;

  beforeAll(async () => {
    emulator = await DatabricksEmulator.start({ latencyInMs: 50, rateLimits: false });
    await emulator.addWorkspace('inflight');
    dir = mkdtempSync(join(tmpdir(), 'bricklane-inflight-'));
    writeFileSync(join(dir, 'bricklane.json'), JSON.stringify({ notebookRoot: ROOT }));
    // Text that deflates well: the zips stay small on the wire, their bounds (by size) do not.
    const text = `# Databricks notebook source\n${'# padding\n'.repeat(NOTEBOOK_BYTES / 10)}`;
    for (const folder of FOLDERS) {
      mkdirSync(join(dir, 'notebooks', folder), { recursive: true });
      writeFileSync(join(dir, 'notebooks', folder, 'big.py'), text);
    }
    const { bundle: loaded, diagnostics } = await loadBundle(dir);
    bundle = loaded ?? expect.fail(JSON.stringify(diagnostics));
  });
  afterAll(() => Promise.allSettled([emulator?.stop(), rm(dir, { recursive: true, force: true })]));

  it('holds no more imports at once than their zip bounds allow, and still more than one', async () => {
    const client = new DatabricksWorkspaceClient(
      emulator.workspaceUrl('inflight'),
      new StaticTokenCredential(DatabricksEmulator.defaultToken),
    );
    const send = client.importWorkspaceDirectory;
    let inFlight = 0;
    let mostAtOnce = 0;
    const sent: string[] = [];
    Object.defineProperty(client, 'importWorkspaceDirectory', {
      value: async (...args: Parameters<typeof send>) => {
        inFlight += 1;
        mostAtOnce = Math.max(mostAtOnce, inFlight);
        try {
          await send(...args);
          sent.push(args[0]);
        } finally {
          inFlight -= 1;
        }
      },
    });
    const ctx: ApplyContext = {
      client,
      bundle,
      ledger: { version: 1, environment: 'inflight', entries: {} },
      now: () => new Date().toISOString(),
      concurrency: 8,
      clusterWaitTimeoutInMs: 1000,
      clusterPollIntervalInMs: 10,
      directoryImport: true,
    };
    const writes = bundle.notebooks.map((n): PlanStep => ({
      key: n.key,
      kind: 'notebooks',
      action: 'create',
      wave: 0,
      target: n.target,
      reason: 'new',
    }));
    const result = await importNewFolders(
      ctx,
      writes,
      new Map(bundle.notebooks.map((n) => [n.key, n])),
      { clusters: [], jobs: [], absentFolders: [ROOT] },
      () => true,
    );
    expect(result.written.size).toBe(FOLDERS.length);
    expect(ctx.notices).toBeUndefined();
    // The root with one folder (two do not fit in one zip), then the other four folders: two at a time.
    expect(sent.sort()).toEqual([ROOT, ...FOLDERS.slice(1).map((f) => `${ROOT}/${f}`)]);
    expect(mostAtOnce).toBe(2);
  });
});
