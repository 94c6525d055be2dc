// I/O: creates the folders a wave writes into. mkdirs creates parents, so only the deepest folders not known
// to exist are sent (https://docs.databricks.com/api/workspace/workspace/mkdirs), and an existing one is fine.
import type { LiveState } from '../../planning/LiveState';
import type { ApplyContext } from './ApplyContext';
import { errorMessage } from './ApplyContext';
import { mapConcurrent } from './mapConcurrent';

/** Returns an error per folder that could not be created. `existing`: folders known to exist besides `live`'s. */
export async function createFolders(
  ctx: ApplyContext,
  folders: readonly string[],
  live: LiveState,
  existing: ReadonlySet<string> = new Set(),
): Promise<Map<string, string>> {
  const missing = [...new Set(folders)].filter(
    (f) => f !== '/' && live.workspaceObjects?.[f] !== 'DIRECTORY' && !existing.has(f),
  );
  const deepest = missing.filter((f) => !missing.some((other) => other.startsWith(`${f}/`)));
  const failures = new Map<string, string>();
  await mapConcurrent(deepest, ctx.concurrency, async (folder) => {
    try {
      await ctx.client.createWorkspaceFolder(folder, { abortSignal: ctx.abortSignal });
    } catch (error) {
      failures.set(folder, `could not create folder ${folder}: ${errorMessage(error)}`);
    }
  });
  return failures;
}
