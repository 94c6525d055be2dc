// I/O: reads what planning compares against: clusters, jobs, and the folders the bundle deploys into,
// for the resource kinds asked for.
// Only the parent folders of our own targets are listed (not the whole notebook root), so the cost is one
// GET per folder and does not depend on what else lives in the workspace. workspace/list answers one folder's
// direct children and has no recursive form (https://docs.databricks.com/api/workspace/workspace/list: `path`
// and `notebooks_modified_after` only, which filters what one listing returns but saves no call), so where the
// ledger holds nothing under the bundle's folders (a first deploy) their deepest common folder is listed
// first: a new deploy root answers RESOURCE_DOES_NOT_EXIST once instead of once per folder.
import { DatabricksNotFoundError } from '../../databricks/DatabricksApiError';
import type { DatabricksWorkspaceClient } from '../../databricks/DatabricksWorkspaceClient';
import type { JobInfo } from '../../databricks/JobInfo';
import { RESOURCE_KINDS, type Bundle, type ResourceKind } from '../../manifest/Bundle';
import { isVolumeTarget } from '../../manifest/isVolumeTarget';
import type { Ledger } from '../../planning/Ledger';
import type { LiveCluster, LiveJob, LiveState } from '../../planning/LiveState';
import { ancestorsOf } from '../../planning/planDirectoryImports';
import { DEFAULT_JOB_QUEUE } from '../../planning/resolveJobSettings';
import { mapConcurrent } from './mapConcurrent';
import { readVolumeFiles } from './readVolumeFiles';
import { readAccessState } from './readAccessControl';

type ObjectType = NonNullable<LiveState['workspaceObjects']>[string];

/**
 * Reads the live state of `kinds` only (default: all): an apply batch of notebooks lists its own folders and
 * never clusters or jobs. What is not read stays empty (clusters, jobs) or undefined (listings).
 */
export async function readLiveState(
  client: DatabricksWorkspaceClient,
  bundle: Bundle,
  kinds: readonly ResourceKind[] = RESOURCE_KINDS,
  /** What bricklane deployed here: with nothing under the bundle's folders, their common folder is read first. */
  ledger?: Ledger,
): Promise<LiveState> {
  // Init scripts in a volume are read with the Files API (readVolumeFiles), not listed as workspace folders.
  const files = [...bundle.notebooks, ...bundle.files, ...bundle.initScripts].filter(
    (i) => kinds.includes(i.key.slice(0, i.key.indexOf('.')) as ResourceKind) && !isVolumeTarget(i.target),
  );
  const listsFolders = files.some((i) => !i.target.startsWith('dbfs:'));
  const [clusters, jobs, workspaceObjects, dbfsFiles, volumeFiles] = await Promise.all([
    kinds.includes('clusters') ? readClusters(client) : [],
    kinds.includes('jobs') ? readJobs(client) : [],
    listsFolders ? readWorkspaceFolders(client, files, ledger) : undefined,
    kinds.includes('initScripts') ? readDbfsFiles(client, bundle) : undefined,
    kinds.includes('initScripts') ? readVolumeFiles(client, bundle) : undefined,
  ]);
  const access = await readAccessState(client, bundle, kinds, ledger, { clusters, jobs });
  return {
    clusters,
    jobs,
    ...access,
    ...(workspaceObjects ? workspaceObjects : {}),
    ...(dbfsFiles ? { dbfsFiles } : {}),
    ...(volumeFiles ? { volumeFiles } : {}),
  };
}

async function readClusters(client: DatabricksWorkspaceClient): Promise<LiveCluster[]> {
  const clusters: LiveCluster[] = [];
  for await (const c of client.listClusters()) {
    // Job clusters appear in clusters/list but cannot be edited; they are never ours to manage.
    if (c.cluster_source === 'JOB') continue;
    clusters.push({
      cluster_id: c.cluster_id,
      cluster_name: c.cluster_name,
      state: String(c.state),
      spec: c,
    });
  }
  return clusters;
}

/**
 * Every job, whole. jobs/list 2.2 shows at most 100 tasks and job clusters of a job and says `has_more` when it
 * has more; those jobs are read again with every page of jobs/get, so a 150-task job compares as 150 tasks.
 * A job without `queue` was created under Jobs 2.0/2.1 without one and does not queue (Jobs 2.2 updates):
 * it reads as DEFAULT_JOB_QUEUE, which is what bricklane sends for a bundle that sets none, so no update
 * appears for it.
 */
async function readJobs(client: DatabricksWorkspaceClient): Promise<LiveJob[]> {
  const listed: JobInfo[] = [];
  for await (const j of client.listJobs({ expandTasks: true })) listed.push(j);
  return mapConcurrent(listed, 4, async (item) => {
    const j = item.has_more === true ? await client.getJob(item.job_id) : item;
    const settings = { ...j.settings } as Record<string, unknown>;
    settings.queue ??= { ...DEFAULT_JOB_QUEUE };
    return { job_id: j.job_id, name: typeof settings.name === 'string' ? settings.name : '', settings };
  });
}

async function readWorkspaceFolders(
  client: DatabricksWorkspaceClient,
  items: readonly { target: string }[],
  ledger: Ledger | undefined,
): Promise<Pick<LiveState, 'workspaceObjects' | 'absentFolders'>> {
  const targets = items.map((i) => i.target).filter((t) => !t.startsWith('dbfs:'));
  const folders = [...new Set(targets.map(parentOf))].sort();
  const objects: Record<string, ObjectType> = {};
  const absent: string[] = [];
  const list = async (folder: string): Promise<boolean> => {
    try {
      const children = await client.listWorkspaceFolder(folder);
      objects[folder] = 'DIRECTORY';
      for (const child of children) objects[child.path] = child.object_type as ObjectType;
      return true;
    } catch (error) {
      if (!(error instanceof DatabricksNotFoundError)) throw error;
      absent.push(folder);
      return false;
    }
  };
  let toList = folders;
  const top = commonFolderOf(folders);
  const deployedBelow = (folder: string): boolean =>
    Object.values(ledger?.entries ?? {}).some((e) => e.target.startsWith(`${folder}/`));
  if (ledger && top !== undefined && folders.length > 1 && !deployedBelow(top)) {
    if (!(await list(top))) return { workspaceObjects: objects, absentFolders: absent };
    // A folder whose way down from `top` passes a child the listing does not hold is absent, unread.
    const missingChild = (folder: string): string | undefined =>
      ancestorsOf(`${folder}/x`).find(
        (f) => f.startsWith(`${top}/`) && parentOf(f) === top && objects[f] !== 'DIRECTORY',
      );
    for (const child of new Set(folders.map(missingChild))) if (child) absent.push(child);
    toList = folders.filter((f) => f !== top && missingChild(f) === undefined);
  }
  await mapConcurrent(toList, 16, list);
  return { workspaceObjects: objects, absentFolders: absent.sort() };
}

/** The deepest folder that holds every one of `folders` (itself when there is one), if any besides `/`. */
function commonFolderOf(folders: readonly string[]): string | undefined {
  const [first, ...rest] = folders;
  if (first === undefined) return undefined;
  let common = first;
  for (const f of rest) {
    while (common !== '/' && f !== common && !f.startsWith(`${common}/`)) common = parentOf(common);
  }
  return common === '/' ? undefined : common;
}

async function readDbfsFiles(
  client: DatabricksWorkspaceClient,
  bundle: Bundle,
): Promise<Record<string, true>> {
  const files: Record<string, true> = {};
  const targets = bundle.initScripts.map((i) => i.target).filter((t) => t.startsWith('dbfs:'));
  await mapConcurrent(targets, 16, async (target) => {
    const status = await client.getDbfsStatus(target);
    if (status && !status.is_dir) files[target] = true;
  });
  return files;
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}
