// Test infrastructure: the non-HTTP inputs of the bad-input table. An archive is uploaded as the blob
// trigger receives it, and also unpacked alone into a scratch folder, where nothing may appear outside the
// extraction folder (and nothing stay inside it); a bundle goes through validation and the boundaries, or
// through the apply of its notebooks to the emulated workspace; settings go through the loader every
// trigger reads them with.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { loadBoundaries, loadSettings, SettingsError } from '../../../src/config/loadSettings';
import { applyFiles } from '../../../src/activities/engine/applyFiles';
import { readLiveState } from '../../../src/activities/engine/readLiveState';
import { startReleaseFromBlob } from '../../../src/functions/startReleaseFromBlob';
import type { BundleEntry } from '../../../src/manifest/Bundle';
import { holdToBoundaries } from '../../../src/manifest/checkBoundaries';
import { computePlan } from '../../../src/planning/computePlan';
import { emptyLedger } from '../../../src/planning/Ledger';
import { ArchiveRejectedError } from '../../../src/sources/ArchiveRejectedError';
import { extractArchive } from '../../../src/sources/extractArchive';
import { validate } from '../../unit/manifest/bundleEntries';
import type { Refusal } from './BadInputRow';
import type { BadInputWorld } from './BadInputWorld';

/** Every path under a folder, relative and sorted. */
function tree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

/**
 * Unpacks the archive into a fresh folder (the rejection code and message), then uploads it as
 * `bundles/<name>` (the trigger's log). Throws when the scratch folder holds anything but the archive.
 */
export async function uploadArchive(
  world: BadInputWorld,
  bytes: Buffer,
  name = 'upload.tar.gz',
): Promise<Refusal> {
  const scratch = mkdtempSync(join(tmpdir(), 'bricklane-bad-input-'));
  try {
    writeFileSync(join(scratch, 'upload.bin'), bytes);
    const error = await extractArchive(join(scratch, 'upload.bin'), join(scratch, 'out', 'bundle')).then(
      () => undefined,
      (e: unknown) => e,
    );
    const left = tree(scratch).filter((p) => p !== 'upload.bin' && p !== 'out');
    if (left.length > 0) throw new Error(`the refused archive left ${left.join(', ')} behind`);
    const logged = await triggerUpload(world, bytes, name);
    if (!(error instanceof ArchiveRejectedError)) return { text: `unpacked: ${String(error)}; ${logged}` };
    return { code: error.code, text: `${error.message}\n${logged}` };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function triggerUpload(world: BadInputWorld, bytes: Buffer, name: string): Promise<string> {
  const input = df.input.durableClient();
  const logs: string[] = [];
  const context = new InvocationContext({
    functionName: 'startReleaseFromBlob',
    triggerMetadata: { name, blobTrigger: `bundles/${name}`, metadata: {} },
    options: { trigger: { type: 'blobTrigger', name: 'blob' }, extraInputs: [input] },
    logHandler: (_level, ...args) => logs.push(args.map(String).join(' ')),
  });
  context.extraInputs.set(input, world.durable.clientData);
  await startReleaseFromBlob(bytes, context);
  return logs.join('\n');
}

/**
 * Validates the bundle's entries and holds them to the boundaries of every environment the app settings
 * configure, as inspectBundle does before anything deploys: the error codes, and whether a deployable
 * bundle came out.
 */
export function validateEntries(entries: readonly BundleEntry[]): Refusal {
  const result = holdToBoundaries(validate(entries), loadBoundaries(process.env).environments);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  return {
    code: errors.map((d) => d.code).join(' '),
    text: `${result.bundle ? 'DEPLOYABLE BUNDLE; ' : ''}${errors.map((d) => `${d.code}: ${d.summary}`).join('\n')}`,
  };
}

/** Loads settings from these values: the problems, or a note that they loaded. */
export function loadSettingsFrom(values: Record<string, string>): Refusal {
  try {
    loadSettings(values);
    return { text: 'SETTINGS LOADED' };
  } catch (error) {
    if (error instanceof SettingsError) return { code: 'SettingsError', text: error.problems.join('\n') };
    throw error;
  }
}

/**
 * Plans and applies the notebooks of `entries` to the world's Databricks workspace `dev`, as applyWave does
 * (its live state, its plan against an empty ledger, the environment's boundaries from the app settings):
 * each step's action and outcome.
 */
export async function applyNotebooks(
  world: BadInputWorld,
  entries: readonly BundleEntry[],
): Promise<Refusal> {
  const { bundle } = validate(entries);
  if (!bundle) throw new Error('the row needs a valid bundle');
  const boundaries = loadBoundaries(process.env).environments.find((e) => e.name === 'dev')?.boundaries;
  const client = world.databricksClient('dev');
  const live = await readLiveState(client, bundle, ['notebooks']);
  const plan = computePlan(bundle, live, emptyLedger('dev'));
  const steps = plan.steps.filter((s) => s.kind === 'notebooks');
  const outcomes = await applyFiles(
    {
      client,
      bundle,
      ledger: emptyLedger('dev'),
      now: () => new Date().toISOString(),
      concurrency: 4,
      clusterWaitTimeoutInMs: 1000,
      clusterPollIntervalInMs: 10,
      ...(boundaries ? { boundaries } : {}),
    },
    'notebooks',
    steps,
    live,
  );
  return {
    code: outcomes.map((o) => o.status).join(' '),
    text: outcomes.map((o) => `${o.key}: planned ${o.action}, ${o.status}: ${o.message ?? ''}`).join('\n'),
  };
}
