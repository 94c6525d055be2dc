// Pure: the plan's warnings about runtimes and node types the workspace does not offer.
// clusters/create and edit refuse a `spark_version` missing from clusters/spark-versions ("Invalid spark
// version ...") and a node type missing from clusters/list-node-types ("Node type ... is not supported"), so a
// plan that would send one says so before anyone approves it. A warning, not an error: the service stays the
// judge (a workspace can gain a runtime between plan and apply), and the create fails with its own message.

/** What the workspace offers, as clusters/spark-versions and clusters/list-node-types list it. */
export interface ClusterOfferings {
  sparkVersions: readonly string[];
  nodeTypes: readonly string[];
}

/** One cluster spec the deploy sends, named for people: `clusters.Small`, `jobs.nightly job_clusters[0]`. */
export interface NamedClusterSpec {
  where: string;
  spec: Record<string, unknown>;
}

const NODE_FIELDS = ['node_type_id', 'driver_node_type_id'] as const;

/** Every cluster spec of the bundle: all-purpose clusters, and each job's job clusters and task clusters. */
export function clusterSpecsOf(bundle: {
  clusters: readonly { key: string; spec: Record<string, unknown> }[];
  jobs: readonly { key: string; settings: Record<string, unknown> }[];
}): NamedClusterSpec[] {
  const specs: NamedClusterSpec[] = bundle.clusters.map((c) => ({ where: c.key, spec: c.spec }));
  for (const job of bundle.jobs) {
    for (const [list, field] of [
      ['job_clusters', 'new_cluster'],
      ['tasks', 'new_cluster'],
    ] as const) {
      const items = job.settings[list];
      if (!Array.isArray(items)) continue;
      items.forEach((item: unknown, index) => {
        const spec = isObject(item) ? item[field] : undefined;
        if (isObject(spec)) specs.push({ where: `${job.key} ${list}[${index}].${field}`, spec });
      });
    }
  }
  return specs;
}

export function findUnofferedRuntimes(
  specs: readonly NamedClusterSpec[],
  offered: ClusterOfferings,
): string[] {
  const warnings: string[] = [];
  for (const { where, spec } of specs) {
    const version = spec['spark_version'];
    if (typeof version === 'string' && !offered.sparkVersions.includes(version)) {
      warnings.push(
        `${where}: spark_version "${version}" is not a runtime this workspace offers (clusters/spark-versions); ` +
          'the cluster create or edit would be refused with "Invalid spark version".',
      );
    }
    for (const field of NODE_FIELDS) {
      const id = spec[field];
      if (typeof id === 'string' && !offered.nodeTypes.includes(id)) {
        warnings.push(
          `${where}: ${field} "${id}" is not a node type this workspace offers (clusters/list-node-types); ` +
            'the cluster create or edit would be refused as not supported.',
        );
      }
    }
  }
  return warnings;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
