// I/O: the code diff of a stage (issue 17), computed when the stage is planned: for every notebook, workspace
// file and init script the plan creates or updates, what the environment runs now (the ledger's hash, read from
// the deployed-file store in release storage, or, for a file deployed before the store existed, from the last
// known good bundle staged there: no workspace export) against the bundle's file. Bounded per file
// (diffFileContent), per stage in files, bytes read, diff lines and wall-clock time, so a bundle of 1,000 changed
// notebooks costs a bounded plan and gives a page of bounded size. A file whose workspace copy was modified after
// bricklane deployed it (workspace/get-status `modified_at` later than the ledger's `deployedAt`) is marked:
// its left side is what bricklane deployed, not what the workspace holds.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeployedFile, DeployedFileStore } from '../../azure/DeployedFileStore';
import type { DatabricksWorkspaceClient } from '../../databricks/DatabricksWorkspaceClient';
import type { Bundle, FileRef } from '../../manifest/Bundle';
import { isVolumeTarget } from '../../manifest/isVolumeTarget';
import { codeDiffSize, type FileCodeDiff, type StageCodeDiff } from '../../planning/CodeDiff';
import type { PlanStep } from '../../planning/DeployPlan';
import {
  DEFAULT_DIFF_FILE_OPTIONS,
  diffFileContent,
  fitStageLines,
  type DiffFileOptions,
} from '../../planning/diffFileContent';
import type { Ledger } from '../../planning/Ledger';
import { FILE_KINDS } from '../../planning/PlanBasis';
import type { BundleFileDigest } from '../../sources/bundleIdOf';
import type { MaterializedBundle } from '../../sources/materializeBundle';
import { mapConcurrent } from './mapConcurrent';
import { readBundleFile } from './readBundleFile';

export interface StageCodeDiffLimits {
  /** Files compared and listed; the rest are counted in omittedFiles. */
  maxFiles: number;
  /** Diff lines kept over the whole stage (the page shows them all). */
  maxLines: number;
  /** Bytes read over the whole stage, both sides; files past it are `skipped`. */
  maxBytes: number;
  /** Wall-clock budget of the whole diff; files not started by then are `skipped`. */
  timeoutInMs: number;
  file: DiffFileOptions;
}

export const DEFAULT_STAGE_CODE_DIFF_LIMITS: StageCodeDiffLimits = {
  maxFiles: 50,
  maxLines: 2_000,
  maxBytes: 32 * 1024 * 1024,
  timeoutInMs: 5_000,
  file: DEFAULT_DIFF_FILE_OPTIONS,
};

/**
 * A workspace object modified this long after the ledger's `deployedAt` was changed by someone else: the margin
 * absorbs the skew between this host's clock and the workspace's (the ledger is written after the import).
 */
export const DRIFT_MARGIN_MS = 2 * 60_000;
/** Files read and compared at once. */
const FILES_IN_FLIGHT = 4;

export interface DiffStageCodeInput {
  environment: string;
  bundle: Bundle;
  steps: readonly PlanStep[];
  /** The ledger the plan was computed with: its hashes name what runs now. */
  ledger: Ledger;
  store: DeployedFileStore;
  /** The environment's workspace, to tell drift; absent when it does not exist yet. */
  client?: DatabricksWorkspaceClient;
  /**
   * An earlier bundle deployed here (the ledger's last known good), as a verified folder: where a file deployed
   * before bricklane kept file contents is found by its hash. Called at most once, only when the store lacks one.
   */
  earlierBundle?: () => Promise<MaterializedBundle | undefined>;
  limits?: StageCodeDiffLimits;
}

export async function diffStageCode(input: DiffStageCodeInput): Promise<StageCodeDiff> {
  const limits = input.limits ?? DEFAULT_STAGE_CODE_DIFF_LIMITS;
  const items = new Map<string, FileRef>(
    [...input.bundle.initScripts, ...input.bundle.notebooks, ...input.bundle.files].map((i) => [i.key, i]),
  );
  // Updates first (what changes under running jobs), then creates; each in path order.
  const writes = input.steps
    .filter((s) => FILE_KINDS.includes(s.kind) && (s.action === 'update' || s.action === 'create'))
    .filter((s) => items.has(s.key))
    .sort((a, b) => (a.action === b.action ? compare(a.target, b.target) : a.action === 'update' ? -1 : 1));
  const shown = writes.slice(0, limits.maxFiles);
  const deadline = Date.now() + limits.timeoutInMs;
  let bytesLeft = limits.maxBytes;
  let earlier: Promise<EarlierFiles | undefined> | undefined;
  /** The file of the earlier bundle with this hash, read like the store reads (size, and bytes within `max`). */
  const fromEarlier = async (sha256: string, max: number): Promise<DeployedFile | undefined> => {
    earlier ??= earlierFiles(input.earlierBundle);
    const files = await earlier;
    const found = files?.byHash.get(sha256);
    if (!files || !found) return undefined;
    if (found.size > max) return { size: found.size };
    return { size: found.size, bytes: await readFile(join(files.root, ...found.path.split('/'))) };
  };
  const files = await mapConcurrent(shown, FILES_IN_FLIGHT, async (step): Promise<FileCodeDiff> => {
    const item = items.get(step.key) as FileRef;
    const action = step.action as 'create' | 'update';
    const base = { key: step.key, kind: step.kind, target: step.target, action };
    const entry = action === 'update' ? input.ledger.entries[step.key] : undefined;
    const drift =
      step.drift ?? (entry ? await driftOf(input.client, step.target, entry.deployedAt) : undefined);
    const noted = { ...base, ...(drift ? { drift } : {}) };
    if (Date.now() > deadline || bytesLeft <= 0) return { ...noted, status: 'skipped', afterSize: item.size };
    const cap = limits.file.maxFileBytes;
    let before: DeployedFile | undefined;
    if (entry) {
      // A new side over the cap is not compared: the old side's size is enough then.
      const max = item.size <= cap ? cap : 0;
      before = (await input.store.read(entry.hash, max)) ?? (await fromEarlier(entry.hash, max));
      if (!before) return { ...noted, status: 'notKept', afterSize: item.size };
    }
    const after: DeployedFile = { size: item.size };
    if (item.size <= cap) after.bytes = await readBundleFile(input.bundle.root, item, { verified: true });
    bytesLeft -= (before?.bytes?.length ?? 0) + (after.bytes?.length ?? 0);
    // The comparisons run one at a time (CPU): each gets what is left of the stage's time, at most its own.
    const left = deadline - Date.now();
    if (left <= 0) return { ...noted, status: 'skipped', afterSize: item.size };
    const timeoutInMs = Math.min(limits.file.timeoutInMs, left);
    return { ...noted, ...diffFileContent(before, after, { ...limits.file, timeoutInMs }) };
  });
  const fitted = fitStageLines(files, limits.maxLines);
  const omittedFiles = writes.length - shown.length;
  return {
    version: 1,
    environment: input.environment,
    files: fitted,
    omittedFiles,
    size: codeDiffSize(fitted, omittedFiles),
  };
}

interface EarlierFiles {
  root: string;
  byHash: Map<string, BundleFileDigest>;
}

/** The files of the earlier bundle by sha256; undefined when there is none or it cannot be brought here. */
async function earlierFiles(
  load: (() => Promise<MaterializedBundle | undefined>) | undefined,
): Promise<EarlierFiles | undefined> {
  // The diff is for reading: a bundle that is gone (or refused as altered) leaves its files "not kept".
  const bundle = await load?.().catch(() => undefined);
  return bundle && { root: bundle.dir, byHash: new Map(bundle.files.map((f) => [f.sha256, f])) };
}

/** Why the workspace copy differs from what bricklane deployed, or undefined (also when it cannot tell). */
async function driftOf(
  client: DatabricksWorkspaceClient | undefined,
  target: string,
  deployedAt: string,
): Promise<string | undefined> {
  // DBFS and volume files carry no modification time bricklane compares; workspace objects do.
  if (!client || target.startsWith('dbfs:') || isVolumeTarget(target)) return undefined;
  const deployed = Date.parse(deployedAt);
  // The diff is for reading: a status that cannot be read leaves the file unmarked rather than fail the plan.
  const modified = (await client.getWorkspaceObjectStatus(target).catch(() => undefined))?.modified_at;
  if (modified === undefined || Number.isNaN(deployed) || modified <= deployed + DRIFT_MARGIN_MS)
    return undefined;
  return (
    `the workspace copy was changed at ${new Date(modified).toISOString()}, after bricklane deployed it ` +
    `(${deployedAt}): the diff's left side is what bricklane deployed, not what the workspace holds now`
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
