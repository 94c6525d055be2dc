// I/O: new folders of source notebooks as SOURCE directory imports: one request per folder tree (up to the
// 10 MB `content` limit) instead of one per notebook, the workspace/import rate limit being the ceiling of a
// cold deploy (https://docs.databricks.com/api/workspace/workspace/import; planning/planDirectoryImports.ts
// says which folders qualify). Each import is checked by listing what it made against the plan (paths, object
// types, languages). A refused import, or a listing that differs, hands its notebooks back to the per-file
// imports, removes what the import made that the plan does not have (only from a folder the import itself
// created), and is reported; a refusal is also recorded in the ledger, so later deploys to that workspace
// import per file from the start.
import {
  DatabricksAlreadyExistsError,
  DatabricksInvalidRequestError,
  DatabricksNotFoundError,
} from '../../databricks/DatabricksApiError';
import { MAX_IMPORT_BASE64_LENGTH } from '../../databricks/workspaceApi';
import type { NotebookItem } from '../../manifest/Bundle';
import type { PlanStep } from '../../planning/DeployPlan';
import { isAbsentFolder, type LiveState } from '../../planning/LiveState';
import {
  ancestorsOf,
  planDirectoryImports,
  type DirectoryImportCandidate,
  type DirectoryImportEntry,
} from '../../planning/planDirectoryImports';
import type { ApplyContext } from './ApplyContext';
import { errorMessage } from './ApplyContext';
import { buildDirectoryZip } from './buildDirectoryZip';
import { createFolders } from './createFolders';
import { mapConcurrent } from './mapConcurrent';
import { mapWithinBudget } from './mapWithinBudget';
import { parentOf } from './readLiveState';
import { readBundleFile, readBundleFileHead } from './readBundleFile';

/** The first line of an exported source notebook, by language: what makes a file in a SOURCE zip a notebook. */
const HEADERS: Record<NonNullable<NotebookItem['language']>, string> = {
  PYTHON: '# Databricks notebook source',
  SQL: '-- Databricks notebook source',
  SCALA: '// Databricks notebook source',
  R: '# Databricks notebook source',
};
/** base64 makes 4 characters of 3 bytes. */
const MAX_ZIP_BYTES = Math.floor(MAX_IMPORT_BASE64_LENGTH / 4) * 3;
/** Imports in flight at once, when their zips are small. */
const IMPORTS_IN_FLIGHT = 4;
/**
 * Zip bytes (as planned, before base64) of the imports in flight at once. An import holds its zip, its JSON body
 * and fetch's copy of it until its answer: about 5x the zip (measured: sending a 5.3 MB zip took 28 MB more).
 * Two full imports at a time keep that near 75 MB, where four would be 150 MB.
 */
export const IMPORT_ZIP_BYTES_IN_FLIGHT = 2 * MAX_ZIP_BYTES;

export interface NewFolderImports {
  /** Keys of the steps written (and verified) by directory imports. */
  written: Set<string>;
  /** Folders that exist now: created by the imports or for them. */
  created: Set<string>;
}

interface ImportResult {
  keys: string[];
  /** Why the import did not give the planned folder; undefined when it did. */
  failure?: string;
  /** The workspace refused the form itself: later deploys go per file. */
  refused?: boolean;
}

/**
 * Imports the new folders among `writes` (notebooks wave) and returns what they wrote; the caller imports the
 * rest per file. Off when the context says so or the ledger remembers a refusal.
 */
export async function importNewFolders(
  ctx: ApplyContext,
  writes: readonly PlanStep[],
  items: ReadonlyMap<string, { target: string }>,
  live: LiveState,
  mayWrite: (step: PlanStep) => boolean,
): Promise<NewFolderImports> {
  const result: NewFolderImports = { written: new Set(), created: new Set() };
  if (ctx.directoryImport !== true || ctx.ledger.directoryImport) return result;
  const notebooks = new Map(ctx.bundle.notebooks.map((n) => [n.key, n]));
  const creates = writes.filter((s) => s.action === 'create' && mayWrite(s));
  const candidates = (
    await mapConcurrent(creates, ctx.concurrency, async (step) => {
      const item = notebooks.get(step.key);
      return item && (await isSourceNotebook(ctx, item)) ? item : undefined;
    })
  ).flatMap((item): DirectoryImportCandidate[] =>
    item?.language ? [{ key: item.key, target: item.target, language: item.language, size: item.size }] : [],
  );
  if (candidates.length < 2) return result;
  const keys = new Set(candidates.map((c) => c.key));
  const otherTargets = [...ctx.bundle.initScripts, ...ctx.bundle.notebooks, ...ctx.bundle.files]
    .filter((i) => !keys.has(i.key) && !i.target.startsWith('dbfs:'))
    .map((i) => i.target);
  const plan = planDirectoryImports({
    candidates,
    otherTargets,
    isAbsent: (folder) => isAbsentFolder(live, folder),
    maxZipBytes: MAX_ZIP_BYTES,
  });
  if (plan.steps.length === 0) return result;

  // The folders the steps go into, when no step makes them: the parents of the highest steps.
  const stepPaths = new Set(plan.steps.map((s) => s.path));
  const parents = plan.steps.map((s) => parentOf(s.path)).filter((p) => !stepPaths.has(p));
  const folderErrors = await createFolders(ctx, parents, live);
  if (folderErrors.size > 0) return result;

  const levels = new Map<number, typeof plan.steps>();
  for (const step of plan.steps) {
    const depth = step.path.split('/').length;
    const level = levels.get(depth);
    if (level) level.push(step);
    else levels.set(depth, [step]);
  }
  const failures: ImportResult[] = [];
  for (const depth of [...levels.keys()].sort((a, b) => a - b)) {
    if (failures.length > 0) break;
    const steps = levels.get(depth) ?? [];
    const weightOf = (step: (typeof steps)[number]): number => (step.kind === 'import' ? step.zipBytes : 0);
    const done = await mapWithinBudget(
      steps,
      IMPORTS_IN_FLIGHT,
      IMPORT_ZIP_BYTES_IN_FLIGHT,
      weightOf,
      async (step) => {
        if (step.kind === 'mkdirs') {
          const failed = await createFolders(ctx, [step.path], live);
          if (failed.size === 0) result.created.add(step.path);
          return { keys: [], ...(failed.size > 0 ? { failure: [...failed.values()].join('; ') } : {}) };
        }
        return importOne(ctx, step.path, step.entries, notebooks);
      },
    );
    for (const r of done) {
      if (r.failure !== undefined) {
        failures.push(r);
        continue;
      }
      for (const key of r.keys) result.written.add(key);
    }
  }
  for (const step of plan.steps) {
    if (step.kind !== 'import' || !step.entries.every((e) => result.written.has(e.key))) continue;
    for (const folder of foldersOf(step.path, step.entries)) result.created.add(folder);
  }
  const planned = plan.steps.flatMap((s) => (s.kind === 'import' ? s.entries.map((e) => e.key) : []));
  const fellBack = planned.filter((key) => !result.written.has(key)).length;
  if (failures.length > 0) reportFallback(ctx, fellBack, failures);
  // Progress of what the imports wrote; the per-file imports report the rest.
  let count = 0;
  for (const key of result.written) {
    if (items.has(key)) ctx.onProgress?.({ wave: 'notebooks', done: ++count, total: writes.length });
  }
  return result;
}

/** SOURCE with a language, and the file starts with that language's notebook header (else it imports as a file). */
async function isSourceNotebook(ctx: ApplyContext, item: NotebookItem): Promise<boolean> {
  if (item.format !== 'SOURCE' || !item.language || item.target.startsWith('dbfs:')) return false;
  const header = HEADERS[item.language];
  // A file that cannot be read goes per file, where its failure is that step's own.
  const head = await readBundleFileHead(ctx.bundle.root, item, header.length + 2).catch(() => undefined);
  if (!head) return false;
  const text = head.toString('utf8');
  return text === header || text.startsWith(`${header}\n`) || text.startsWith(`${header}\r\n`);
}

async function importOne(
  ctx: ApplyContext,
  path: string,
  entries: readonly DirectoryImportEntry[],
  notebooks: ReadonlyMap<string, NotebookItem>,
): Promise<ImportResult> {
  const keys = entries.map((e) => e.key);
  const options = { abortSignal: ctx.abortSignal };
  let answered = true;
  try {
    // Read through readBundleFile, entry by entry as the zip takes them: changed bytes are refused.
    const zip = await buildDirectoryZip(entries, async (entry) => {
      const item = notebooks.get(entry.key);
      if (!item) throw new Error(`no bundle item for ${entry.key}`);
      return readBundleFile(ctx.bundle.root, item, { verified: ctx.bundleVerified === true });
    });
    await ctx.client.importWorkspaceDirectory(path, zip, options);
  } catch (error) {
    // A repeat of an import whose answer was lost finds the folder made: the listing below tells.
    if (!(error instanceof DatabricksAlreadyExistsError)) {
      return { keys, failure: errorMessage(error), refused: error instanceof DatabricksInvalidRequestError };
    }
    answered = false;
  }
  let differences: { problems: string[]; unexpected: string[] };
  try {
    differences = await compareListing(ctx, path, entries);
  } catch (error) {
    // Not known either way: the per-file imports (with overwrite) write every notebook of it again.
    return { keys, failure: `could not list ${path} after the import: ${errorMessage(error)}` };
  }
  if (differences.problems.length === 0) return { keys };
  // Only a folder this import made (it did not exist: overwrite is false) is cleaned; never one found existing.
  const left: string[] = [];
  if (answered) {
    for (const extra of differences.unexpected) {
      await ctx.client
        .deleteWorkspaceObject(extra, { ...options, recursive: true })
        .catch((error: unknown) => {
          if (!(error instanceof DatabricksNotFoundError)) left.push(`${extra} (${errorMessage(error)})`);
        });
    }
  }
  const problems = differences.problems.slice(0, 3).join('; ');
  return {
    keys,
    failure:
      `the listing of ${path} after the import differs from the plan: ${problems}` +
      (left.length > 0 ? `; could not remove ${left.join(', ')}` : ''),
    refused: answered,
  };
}

/**
 * Lists the imported folder and its planned sub-folders and compares with the plan: every planned folder and
 * notebook (with its language), and nothing else. `unexpected` holds the highest paths the plan does not have.
 */
async function compareListing(
  ctx: ApplyContext,
  path: string,
  entries: readonly DirectoryImportEntry[],
): Promise<{ problems: string[]; unexpected: string[] }> {
  const folders = foldersOf(path, entries);
  const expected = new Map<string, string>([
    ...[...folders].map((f): [string, string] => [f, 'DIRECTORY']),
    ...entries.map((e): [string, string] => [e.target, `NOTEBOOK ${e.language}`]),
  ]);
  const found = new Map<string, string>();
  const problems: string[] = [];
  const unexpected: string[] = [];
  await mapConcurrent([...folders].sort(), ctx.concurrency, async (folder) => {
    try {
      const children = await ctx.client.listWorkspaceFolder(folder, { abortSignal: ctx.abortSignal });
      found.set(folder, 'DIRECTORY');
      for (const child of children) {
        const kind =
          child.object_type === 'NOTEBOOK' ? `NOTEBOOK ${child.language ?? '?'}` : child.object_type;
        found.set(child.path, kind);
        if (!expected.has(child.path)) unexpected.push(child.path);
      }
    } catch (error) {
      if (!(error instanceof DatabricksNotFoundError)) throw error;
    }
  });
  for (const [p, kind] of expected) {
    const seen = found.get(p);
    if (seen !== kind) problems.push(`${p} is ${seen ?? 'missing'}, planned ${kind}`);
  }
  for (const p of unexpected.sort()) problems.push(`${p} (${found.get(p) ?? '?'}) is not in the plan`);
  return { problems, unexpected };
}

/** The folder imported and every folder between it and its notebooks. */
function foldersOf(path: string, entries: readonly { target: string }[]): Set<string> {
  const folders = new Set([path]);
  for (const e of entries) {
    for (const f of ancestorsOf(e.target)) if (f.startsWith(`${path}/`)) folders.add(f);
  }
  return folders;
}

function reportFallback(ctx: ApplyContext, perFile: number, failures: readonly ImportResult[]): void {
  const reason = failures.map((f) => f.failure).join('; ');
  const env = ctx.ledger.environment;
  const refused = failures.some((f) => f.refused === true);
  if (refused) ctx.ledger.directoryImport = { fallbackAt: ctx.now(), reason };
  (ctx.notices ??= []).push(
    `directory import fell back to per-file imports for ${perFile} notebook(s) in ${env}: ${reason}` +
      (refused
        ? `; later deploys to ${env} import per file (recorded in its ledger: delete "directoryImport" there to try again)`
        : ''),
  );
}
