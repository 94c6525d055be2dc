// Pure: turns bundle job settings (clusters named by `existing_cluster_name`) into API settings.
// The seed injected cluster ids with sed in deploy-jobs.sh; here the swap is typed and total: a
// reference to a cluster with no live id is reported instead of sent.

export interface ResolvedJobSettings {
  settings: Record<string, unknown>;
  /** Cluster names that have no id yet (the cluster is still to be created). */
  unresolved: string[];
}

export function resolveJobSettings(
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
  if (!Array.isArray(settings.tasks)) return { settings, unresolved: [] };
  const tasks = settings.tasks.map(resolveTask);
  return { settings: { ...settings, tasks }, unresolved: [...unresolved].sort() };
}
