// Pure: turns bundle job settings (clusters named by `existing_cluster_name`) into API settings.
// The seed injected cluster ids with sed in deploy-jobs.sh; here the swap is typed and total: a
// reference to a cluster with no live id is reported instead of sent.
// The settings always carry `queue`: under Jobs 2.2 a job created or reset without it is queued, under 2.0/2.1
// it is not (https://learn.microsoft.com/azure/databricks/reference/jobs-api-2-2-updates). A bundle that says
// nothing keeps what the seed's jobs (created under 2.0/2.1) always had, queueing off, so moving bricklane to
// 2.2 changes no job silently; a bundle that sets `queue` gets what it says, and the plan compares it.

import { resolvePolicyNames } from './resolvePolicyNames';

/** The queue of a job whose settings do not set one: what Jobs 2.0/2.1 gave every job. */
export const DEFAULT_JOB_QUEUE = { enabled: false } as const;

export interface ResolvedJobSettings {
  settings: Record<string, unknown>;
  /**
   * Cluster names that have no id yet (the cluster is still to be created), and `policy <name>` for cluster
   * policies named by the job's clusters that have no id yet.
   */
  unresolved: string[];
}

export function resolveJobSettings(
  settings: Record<string, unknown>,
  clusterIds: Readonly<Record<string, string | undefined>>,
  policyIds: Readonly<Record<string, string | undefined>> = {},
): ResolvedJobSettings {
  const named = resolveClusterNames(settings, clusterIds);
  const policies = resolvePolicyNames(named.settings, policyIds);
  return {
    settings: policies.value,
    unresolved: [...named.unresolved, ...policies.unresolved.map((name) => `policy ${name}`)],
  };
}

function resolveClusterNames(
  settings: Record<string, unknown>,
  clusterIds: Readonly<Record<string, string | undefined>>,
): ResolvedJobSettings {
  const unresolved = new Set<string>();
  const resolveTask = (task: unknown): unknown => {
    if (typeof task !== 'object' || task === null) return task;
    const { existing_cluster_name: name, ...rest } = task as Record<string, unknown>;
    // A for-each task carries its own nested task, which names its cluster the same way.
    const forEach = rest.for_each_task as Record<string, unknown> | undefined;
    if (forEach && typeof forEach === 'object' && 'task' in forEach) {
      rest.for_each_task = { ...forEach, task: resolveTask(forEach.task) };
    }
    if (typeof name !== 'string') return rest;
    const id = clusterIds[name];
    if (id === undefined) {
      unresolved.add(name);
      return { ...rest, existing_cluster_name: name };
    }
    return { ...rest, existing_cluster_id: id };
  };
  const queued = { ...settings, queue: settings.queue ?? { ...DEFAULT_JOB_QUEUE } };
  if (!Array.isArray(settings.tasks)) return { settings: queued, unresolved: [] };
  const tasks = settings.tasks.map(resolveTask);
  return { settings: { ...queued, tasks }, unresolved: [...unresolved].sort() };
}
