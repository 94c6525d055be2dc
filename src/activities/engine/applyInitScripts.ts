// I/O: the init-script wave. Scripts bound for a Unity Catalog volume are uploaded with the Files API (`PUT
// /api/2.0/fs/files{path}?overwrite=true`: a retried upload writes the same bytes, and missing folders come with
// the file); workspace files and DBFS scripts go through applyFiles as before. Each write is held to the
// environment's boundaries as they are now (applyFiles' refusal): a volume script only under VOLUME_ROOTS.
// Files API: https://docs.databricks.com/api/azure/workspace/files; init scripts in volumes:
// https://learn.microsoft.com/azure/databricks/init-scripts/cluster-scoped
import type { InitScriptItem } from '../../manifest/Bundle';
import { isVolumeTarget } from '../../manifest/isVolumeTarget';
import type { PlanStep } from '../../planning/DeployPlan';
import type { LiveState } from '../../planning/LiveState';
import type { ApplyContext, StepOutcome } from './ApplyContext';
import { errorMessage } from './ApplyContext';
import { applyFiles, refusal } from './applyFiles';
import { mapConcurrent } from './mapConcurrent';
import { readBundleFile } from './readBundleFile';

export async function applyInitScripts(
  ctx: ApplyContext,
  steps: readonly PlanStep[],
  live: LiveState,
): Promise<StepOutcome[]> {
  const toVolume = steps.filter((s) => isVolumeTarget(s.target));
  const others = steps.filter((s) => !isVolumeTarget(s.target));
  const [volumeOutcomes, otherOutcomes] = await Promise.all([
    applyVolumeScripts(ctx, toVolume),
    others.length > 0 ? applyFiles(ctx, 'initScripts', others, live) : [],
  ]);
  return [...otherOutcomes, ...volumeOutcomes];
}

async function applyVolumeScripts(ctx: ApplyContext, steps: readonly PlanStep[]): Promise<StepOutcome[]> {
  const items = new Map(ctx.bundle.initScripts.map((i) => [i.key, i]));
  const writes = steps.filter((s) => s.action === 'create' || s.action === 'update' || s.action === 'adopt');
  let done = 0;
  return mapConcurrent(steps, ctx.concurrency, async (step): Promise<StepOutcome> => {
    const item = items.get(step.key);
    if (!writes.includes(step)) {
      if (item) record(ctx, item);
      return { key: step.key, action: step.action, status: 'done' };
    }
    try {
      if (!item) throw new Error(`no bundle item for ${step.key}`);
      const refused = refusal(ctx, step, item);
      if (refused) return { key: step.key, action: step.action, status: 'failed', message: refused };
      const content = await readBundleFile(ctx.bundle.root, item, { verified: ctx.bundleVerified === true });
      await ctx.client.uploadFile(item.target, content, { overwrite: true, abortSignal: ctx.abortSignal });
      record(ctx, item);
      return { key: step.key, action: step.action, status: 'done' };
    } catch (error) {
      return { key: step.key, action: step.action, status: 'failed', message: errorMessage(error) };
    } finally {
      ctx.onProgress?.({ wave: 'initScripts', done: ++done, total: writes.length });
    }
  });
}

function record(ctx: ApplyContext, item: InitScriptItem): void {
  const prev = ctx.ledger.entries[item.key];
  if (prev && prev.hash === item.sha256 && prev.target === item.target) return;
  ctx.ledger.entries[item.key] = { hash: item.sha256, target: item.target, deployedAt: ctx.now() };
}
