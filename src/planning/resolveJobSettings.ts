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
  const unresolved: string[] = [];
  const tasks = Array.isArray(settings.tasks) ? settings.tasks : undefined;
  if (!tasks) return { settings, unresolved };
  const resolvedTasks = tasks.map((task: unknown) => {
    if (typeof task !== 'object' || task === null) return task;
    const { existing_cluster_name: name, ...rest } = task as Record<string, unknown>;
    if (typeof name !== 'string') return task;
    const id = clusterIds[name];
    if (id === undefined) {
      unresolved.push(name);
      return task;
    }
    return { ...rest, existing_cluster_id: id };
  });
  return { settings: { ...settings, tasks: resolvedTasks }, unresolved: [...new Set(unresolved)].sort() };
}
