// I/O: the file waves: init scripts, notebooks and workspace files.
// New folders of source notebooks go first, as directory imports (importNewFolders.ts). Then folders are
// created once per wave (createFolders.ts), and every other changed file is imported with overwrite, which
// makes a retried import harmless.
import { uploadDbfsFile } from '../../databricks/uploadDbfsFile';
import { boundarySettingKey, isInsideAny } from '../../manifest/Boundaries';
import type { InitScriptItem, NotebookItem, WorkspaceFileItem } from '../../manifest/Bundle';
import { isVolumeTarget } from '../../manifest/isVolumeTarget';
import type { PlanStep } from '../../planning/DeployPlan';
import type { LiveState } from '../../planning/LiveState';
import type { ApplyContext, StepOutcome } from './ApplyContext';
import { errorMessage } from './ApplyContext';
import { createFolders } from './createFolders';
import { importNewFolders } from './importNewFolders';
import { mapConcurrent } from './mapConcurrent';
import { parentOf } from './readLiveState';
import { readBundleFile } from './readBundleFile';

type FileItem = InitScriptItem | NotebookItem | WorkspaceFileItem;

export async function applyFiles(
  ctx: ApplyContext,
  wave: string,
  steps: readonly PlanStep[],
  live: LiveState,
): Promise<StepOutcome[]> {
  const items = new Map<string, FileItem>(
    [...ctx.bundle.initScripts, ...ctx.bundle.notebooks, ...ctx.bundle.files].map((i) => [i.key, i]),
  );
  const writes = steps.filter((s) => s.action === 'create' || s.action === 'update' || s.action === 'adopt');
  const outcomes: StepOutcome[] = steps
    .filter((s) => s.action === 'unchanged')
    .map((s) => {
      const item = items.get(s.key);
      if (item) record(ctx, item);
      return { key: s.key, action: s.action, status: 'done' };
    });

  const mayWrite = (step: PlanStep): boolean => {
    const item = items.get(step.key);
    return item !== undefined && refusal(ctx, step, item) === undefined;
  };
  const imported =
    wave === 'notebooks'
      ? await importNewFolders(ctx, writes, items, live, mayWrite)
      : { written: new Set<string>(), created: new Set<string>() };
  for (const key of imported.written) {
    const item = items.get(key);
    if (item) record(ctx, item);
  }
  const byImport = writes.filter((s) => imported.written.has(s.key));
  const perFile = writes.filter((s) => !imported.written.has(s.key));
  outcomes.push(...byImport.map((s): StepOutcome => ({ key: s.key, action: s.action, status: 'done' })));
  const folders = perFile.map((s) => s.target).filter((t) => !t.startsWith('dbfs:'));
  const folderErrors = await createFolders(ctx, folders.map(parentOf), live, imported.created);
  let done = byImport.length;
  const written = await mapConcurrent(perFile, ctx.concurrency, async (step): Promise<StepOutcome> => {
    const item = items.get(step.key);
    try {
      if (!item) throw new Error(`no bundle item for ${step.key}`);
      const refused = refusal(ctx, step, item);
      if (refused) return { key: step.key, action: step.action, status: 'failed', message: refused };
      const folderError = folderErrors.get(parentOf(item.target));
      if (folderError) throw new Error(folderError);
      await writeItem(ctx, item);
      record(ctx, item);
      return { key: step.key, action: step.action, status: 'done' };
    } catch (error) {
      return { key: step.key, action: step.action, status: 'failed', message: errorMessage(error) };
    } finally {
      ctx.onProgress?.({ wave, done: ++done, total: writes.length });
    }
  });
  return [...outcomes, ...written];
}

/**
 * Why the step must not write, or undefined. inspectBundle already held the bundle to the boundaries; this
 * holds each write to them again, as they are now (the operator may have narrowed them since).
 */
export function refusal(ctx: ApplyContext, step: PlanStep, item: FileItem): string | undefined {
  const env = ctx.ledger.environment;
  const b = ctx.boundaries;
  if (step.action === 'adopt' && !b?.adoptExisting) {
    return (
      `${item.target} exists in the workspace but bricklane did not deploy it, so it was not overwritten; ` +
      `to let bricklane take it over, set ${boundarySettingKey(env, 'adoptExisting')}=true, or move the object away`
    );
  }
  if (!b) return undefined;
  const roots = item.target.startsWith('dbfs:')
    ? b.dbfsInitScriptRoots
    : isVolumeTarget(item.target)
      ? b.volumeRoots
      : b.workspaceRoots;
  if (isInsideAny(item.target, roots)) return undefined;
  return `${item.target} is outside the folders allowed in ${env} (${roots.join(', ') || 'none'}); nothing was written`;
}

async function writeItem(ctx: ApplyContext, item: FileItem): Promise<void> {
  const content = await readBundleFile(ctx.bundle.root, item, { verified: ctx.bundleVerified === true });
  const options = { abortSignal: ctx.abortSignal };
  if (item.target.startsWith('dbfs:')) {
    await uploadDbfsFile(ctx.client, item.target, content, { ...options, overwrite: true });
  } else if ('format' in item) {
    await ctx.client.importWorkspaceObject(
      { path: item.target, format: item.format, language: item.language, content, overwrite: true },
      options,
    );
  } else {
    await ctx.client.importWorkspaceObject(
      { path: item.target, format: 'AUTO', content, overwrite: true },
      options,
    );
  }
}

function record(ctx: ApplyContext, item: FileItem): void {
  const prev = ctx.ledger.entries[item.key];
  if (prev && prev.hash === item.sha256 && prev.target === item.target) return;
  ctx.ledger.entries[item.key] = { hash: item.sha256, target: item.target, deployedAt: ctx.now() };
}
