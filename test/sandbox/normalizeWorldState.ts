// Test infrastructure: a saved world's state (`--state-out`, LocalWorld.state() plus its releases) without
// what differs between two worlds by construction, so that two runs of one bundle compare equal when they
// left the same workspaces: the interrupted sandbox against an uninterrupted one, a chaos run against a
// fault-free one.

export type NormalizedState = Record<string, unknown>;

interface Cluster {
  cluster_id: string;
  cluster_name: string;
}
interface Job {
  job_id: number;
  settings: { name: string };
}

/**
 * What a run leaves, without what differs between two worlds by construction: cluster and job ids (and the
 * ids jobs use to name clusters), workspace ports, request counters and timestamps.
 */
export function normalizeWorldState(state: Record<string, unknown>): NormalizedState {
  const environments = state.environments as Record<string, Record<string, unknown>>;
  const release = (
    state.releases as { state: string; stages: { environment: string; state: string }[] }[]
  )[0];
  return {
    release: release && {
      state: release.state,
      stages: release.stages.map((s) => ({ environment: s.environment, state: s.state })),
    },
    environments: Object.fromEntries(
      Object.entries(environments).map(([env, snapshot]) => {
        const clusters = snapshot.clusters as Cluster[];
        const names = new Map(clusters.map((c) => [c.cluster_id, c.cluster_name]));
        const azure = snapshot.azure as { workspace: { id: string } | null } | undefined;
        return [
          env,
          {
            notebooks: snapshot.notebooks,
            workspaceFiles: snapshot.workspaceFiles,
            dbfs: snapshot.dbfs,
            clusters: clusters
              .map(({ cluster_id: _id, ...rest }) => rest)
              .sort((a, b) => a.cluster_name.localeCompare(b.cluster_name)),
            jobs: (snapshot.jobs as Job[])
              .map(
                ({ job_id: _id, settings }) =>
                  JSON.parse(
                    JSON.stringify(settings, (key, value: unknown) =>
                      key === 'existing_cluster_id' ? `cluster ${names.get(String(value))}` : value,
                    ),
                  ) as Job['settings'],
              )
              .sort((a, b) => a.name.localeCompare(b.name)),
            azure: azure && { ...azure, workspace: azure.workspace?.id ?? null },
          },
        ];
      }),
    ),
  };
}
