// Pure: clusters and job clusters that name a bundle policy -> `policy_name` references, each spec checked
// against its policy's definition before anything is sent (checkClusterPolicy.ts).
// A policy is referenced by name the way jobs reference clusters (normalizeJob.ts): `policy_name`, or the
// Clusters API's `policy_id` holding the name of a policies/*.json policy. Names stay names here, because ids
// differ per workspace; planning and apply swap in the live id (planning/resolvePolicyNames.ts). A `policy_id`
// that is not a bundle policy's name is a workspace policy id and passes through unchecked: its definition is
// the workspace's, and clusters/create judges the spec against it.
import type { ClusterItem, Diagnostic, JobItem, PolicyItem } from './Bundle';
import { checkClusterPolicy, type ClusterType } from './checkClusterPolicy';
import { jsonPath } from './jsonPath';
import { sha256OfJson } from './sha256OfJson';

type Json = Record<string, unknown>;

export interface ResolvedPolicyReferences {
  clusters: ClusterItem[];
  jobs: JobItem[];
  diagnostics: Diagnostic[];
}

export function resolvePolicyReferences(
  clusters: readonly ClusterItem[],
  jobs: readonly JobItem[],
  policies: readonly PolicyItem[],
  /** Every policy name the bundle defines, also from files with errors. */
  policyNames: ReadonlySet<string>,
): ResolvedPolicyReferences {
  const byName = new Map(policies.map((p) => [p.name, p]));
  const diagnostics: Diagnostic[] = [];
  const known = [...policyNames].sort().join(', ') || 'none';

  /** Rewrites one cluster spec in place; returns the policy names it references. */
  const resolve = (spec: Json, file: string, at: PropertyKey[], type: ClusterType, who: string): string[] => {
    const error = (segments: PropertyKey[], code: string, summary: string): void => {
      diagnostics.push({ severity: 'error', code, file, path: jsonPath([...at, ...segments]), summary });
    };
    const byId = spec['policy_id'];
    const named = spec['policy_name'];
    if (byId !== undefined && named !== undefined) {
      error(
        ['policy_id'],
        'CLUSTER_POLICY_REF_CONFLICT',
        '`policy_id` and `policy_name` are both set; keep policy_name with the name of a bundle policy.',
      );
      return [];
    }
    let name: string | undefined;
    if (typeof byId === 'string' && policyNames.has(byId)) {
      delete spec['policy_id'];
      spec['policy_name'] = byId;
      name = byId;
    } else if (named !== undefined) {
      if (typeof named === 'string' && policyNames.has(named)) name = named;
      else {
        error(
          ['policy_name'],
          'CLUSTER_UNKNOWN_POLICY',
          `\`policy_name\` names policy ${JSON.stringify(named)}, which this bundle does not define (policies: ${known}); use the name of a policies/*.json file, or a workspace policy's id in policy_id.`,
        );
        return [];
      }
    }
    if (name === undefined) return [];
    const policy = byName.get(name);
    if (!policy) return [name];
    const { policy_name: _ignored, ...checked } = spec;
    for (const v of checkClusterPolicy(checked, policy.definition, type)) {
      const rule = policy.definition[v.attribute];
      diagnostics.push({
        severity: 'error',
        code: 'CLUSTER_POLICY_VIOLATION',
        file,
        path: jsonPath([...at, ...v.segments]),
        summary: `${who} breaks policy ${JSON.stringify(name)} (${policy.source}): \`${v.attribute}\` ${v.problem} (rule ${JSON.stringify(rule)}).`,
      });
    }
    return [name];
  };

  const outClusters = clusters.map((cluster) => {
    const spec = structuredClone(cluster.spec);
    const refs = resolve(spec, cluster.source, [], 'all-purpose', `Cluster ${JSON.stringify(cluster.name)}`);
    return refs.length === 0 ? cluster : { ...cluster, spec, sha256: sha256OfJson(spec), policyRefs: refs };
  });

  const outJobs = jobs.map((job) => {
    const settings = structuredClone(job.settings);
    const refs = new Set<string>();
    const visit = (cluster: unknown, at: PropertyKey[]): void => {
      if (!isJson(cluster)) return;
      for (const name of resolve(cluster, job.source, at, 'job', `Job ${JSON.stringify(job.name)}'s cluster`))
        refs.add(name);
    };
    const jobClusters = Array.isArray(settings['job_clusters'])
      ? (settings['job_clusters'] as unknown[])
      : [];
    jobClusters.forEach((jc, i) => {
      if (isJson(jc)) visit(jc['new_cluster'], ['job_clusters', i, 'new_cluster']);
    });
    const visitTask = (task: unknown, at: PropertyKey[]): void => {
      if (!isJson(task)) return;
      visit(task['new_cluster'], [...at, 'new_cluster']);
      const forEach = task['for_each_task'];
      if (isJson(forEach)) visitTask(forEach['task'], [...at, 'for_each_task', 'task']);
    };
    const tasks = Array.isArray(settings['tasks']) ? (settings['tasks'] as unknown[]) : [];
    tasks.forEach((task, i) => {
      visitTask(task, ['tasks', i]);
    });
    return refs.size === 0
      ? job
      : { ...job, settings, sha256: sha256OfJson(settings), policyRefs: [...refs].sort() };
  });
  return { clusters: outClusters, jobs: outJobs, diagnostics };
}

function isJson(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
