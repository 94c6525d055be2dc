// Test infrastructure: a saved world's state (`--state-out`, LocalWorld.state() plus its releases) without
// what differs between two worlds by construction, so that two runs of one bundle compare equal when they
// left the same workspaces: the interrupted sandbox against an uninterrupted one, a chaos run against a
// fault-free one.

export type NormalizedState = Record<string, unknown>;

interface Cluster {
  cluster_id: string;
  cluster_name: string;
  spec?: unknown;
}
interface Job {
  job_id: number;
  settings: { name: string };
}
interface Policy {
  policy_id: string;
  name: string;
}
interface SecretScope {
  name: string;
  keys: Record<string, string>;
}

/**
 * What a run leaves, without what differs between two worlds by construction: cluster, job and policy ids (a
 * cluster spec, job cluster or job task names a cluster as `cluster <name>` and a policy as `policy <name>`;
 * permissions are keyed by name already), vault secret values (a secret scope's key holding a vault secret's
 * value reads `Key Vault <name>`), workspace ports, request counters and timestamps. Job runs stay: a
 * check job runs once per environment per release, and a retried run-now starts no second run (its idempotency
 * token), so a count above the fault-free run's is a duplicate.
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
        const policies = (snapshot.policies ?? []) as Policy[];
        const clusterNames = new Map(clusters.map((c) => [c.cluster_id, c.cluster_name]));
        const policyNames = new Map(policies.map((p) => [p.policy_id, p.name]));
        const named = <T>(value: T): T =>
          JSON.parse(
            JSON.stringify(value, (key, v: unknown) =>
              key === 'existing_cluster_id'
                ? `cluster ${clusterNames.get(String(v))}`
                : key === 'policy_id' && typeof v === 'string'
                  ? `policy ${policyNames.get(String(v))}`
                  : v,
            ),
          ) as T;
        const azure = snapshot.azure as
          | { workspace: { id: string } | null; keyVault?: { secretSha256?: Record<string, string> } | null }
          | undefined;
        // Each world seeds its vaults with values of its own: a key copied from one reads as its vault secret.
        const vaultSecrets = new Map(
          Object.entries(azure?.keyVault?.secretSha256 ?? {}).map(([name, hash]) => [
            hash,
            `Key Vault ${name}`,
          ]),
        );
        return [
          env,
          // Worlds saved before a kind was modelled lack it (`?? {}`, `?? []`).
          {
            notebooks: snapshot.notebooks,
            workspaceFiles: snapshot.workspaceFiles,
            dbfs: snapshot.dbfs,
            volumeFiles: snapshot.volumeFiles ?? {},
            clusters: clusters
              .map(({ cluster_id: _id, ...rest }) => named(rest))
              .sort((a, b) => a.cluster_name.localeCompare(b.cluster_name)),
            jobs: (snapshot.jobs as Job[])
              .map(({ job_id: _id, settings }) => named(settings))
              .sort((a, b) => a.name.localeCompare(b.name)),
            policies: policies
              .map(({ policy_id: _id, ...rest }) => rest)
              .sort((a, b) => a.name.localeCompare(b.name)),
            permissions: snapshot.permissions ?? {},
            secretScopes: ((snapshot.secretScopes ?? []) as SecretScope[])
              .map((scope) => ({
                ...scope,
                keys: Object.fromEntries(
                  Object.entries(scope.keys).map(([key, hash]) => [key, vaultSecrets.get(hash) ?? hash]),
                ),
              }))
              .sort((a, b) => a.name.localeCompare(b.name)),
            runs: snapshot.runs ?? {},
            azure: azure && {
              ...azure,
              workspace: azure.workspace?.id ?? null,
              keyVault: azure.keyVault && { ...azure.keyVault, secretSha256: undefined },
            },
          },
        ];
      }),
    ),
  };
}
