// Pure: cluster items from `clusters/*.json`, keyed by `cluster_name`.
import type { BundleFile, BundleOptions, ClusterItem, Diagnostic, InitScriptItem } from './Bundle';
import { clusterSpecSchema } from './clusterSpecSchema';
import type { ReferenceIndex } from './createReferenceIndex';
import { diagnosticsFromZod } from './diagnosticsFromZod';
import { malformedJsonDiagnostic } from './malformedJsonDiagnostic';
import { resolveInitScripts } from './resolveInitScripts';
import { sha256OfJson } from './sha256OfJson';

/** Fields `clusters/get` returns but `clusters/create` does not take (a copied "View JSON" has them). */
const OUTPUT_ONLY_FIELDS = [
  'state',
  'state_message',
  'start_time',
  'terminated_time',
  'last_state_loss_time',
  'last_restarted_time',
  'last_activity_time',
  'creator_user_name',
  'default_tags',
  'cluster_source',
  'driver',
  'executors',
  'jdbc_port',
  'spark_context_id',
  'cluster_memory_mb',
  'cluster_cores',
  'cluster_log_status',
  'termination_reason',
  'spec',
];

const REFERENCE = 'Clusters API clusters/create';

export interface CollectedClusters {
  clusters: ClusterItem[];
  /** Every cluster name the bundle defines, also from files with errors, so that jobs can be checked. */
  names: Set<string>;
  diagnostics: Diagnostic[];
}

export function collectClusters(
  files: readonly BundleFile[],
  options: BundleOptions,
  initScripts: readonly InitScriptItem[],
  index: ReferenceIndex<InitScriptItem>,
): CollectedClusters {
  const out: CollectedClusters = { clusters: [], names: new Set(), diagnostics: [] };
  const firstFile = new Map<string, string>();
  for (const file of files) {
    const { name, item } = readCluster(file, options, initScripts, index, out.diagnostics);
    if (name === undefined) continue;
    out.names.add(name);
    const earlier = firstFile.get(name);
    if (earlier !== undefined) {
      out.diagnostics.push({
        severity: 'error',
        code: 'CLUSTER_NAME_DUPLICATE',
        file: file.path,
        path: '$.cluster_name',
        summary: `Cluster name ${JSON.stringify(name)} is defined by both ${earlier} and ${file.path}; cluster names identify clusters across deploys, so rename or remove one.`,
      });
      continue;
    }
    firstFile.set(name, file.path);
    if (item) out.clusters.push(item);
  }
  out.clusters.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return out;
}

function readCluster(
  file: BundleFile,
  options: BundleOptions,
  initScripts: readonly InitScriptItem[],
  index: ReferenceIndex<InitScriptItem>,
  diagnostics: Diagnostic[],
): { name?: string; item?: ClusterItem } {
  if (file.json === undefined) return {};
  if (!file.json.ok) {
    diagnostics.push(malformedJsonDiagnostic(file.path, file.json));
    return {};
  }
  const raw = file.json.value;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    diagnostics.push({
      severity: 'error',
      code: 'CLUSTER_INVALID',
      file: file.path,
      path: '$',
      summary: `${file.path} must hold one JSON object, the ${REFERENCE} request body.`,
    });
    return {};
  }
  const dropped = OUTPUT_ONLY_FIELDS.filter((field) => field in raw);
  const spec: Record<string, unknown> = Object.fromEntries(
    Object.entries(raw).filter(([field]) => !OUTPUT_ONLY_FIELDS.includes(field)),
  );
  let valid = true;
  const fail = (path: string, code: string, summary: string): void => {
    valid = false;
    diagnostics.push({ severity: 'error', code, file: file.path, path, summary });
  };

  if ('cluster_id' in spec) {
    fail(
      '$.cluster_id',
      'CLUSTER_ID_FORBIDDEN',
      '`cluster_id` must not be in the bundle: each workspace assigns its own cluster ids, and bricklane finds the cluster by cluster_name; remove cluster_id.',
    );
  }
  if (dropped.length > 0) {
    diagnostics.push({
      severity: 'warning',
      code: 'CLUSTER_OUTPUT_FIELD_IGNORED',
      file: file.path,
      summary: `${dropped.map((f) => `\`${f}\``).join(', ')} ${dropped.length === 1 ? 'is' : 'are'} reported by clusters/get but not accepted by clusters/create, and ${dropped.length === 1 ? 'is' : 'are'} ignored; remove ${dropped.length === 1 ? 'it' : 'them'} from the file.`,
    });
  }

  const parsed = clusterSpecSchema.safeParse(spec);
  if (!parsed.success) {
    valid = false;
    diagnostics.push(
      ...diagnosticsFromZod(parsed.error.issues, {
        file: file.path,
        code: 'CLUSTER_INVALID',
        reference: REFERENCE,
      }),
    );
  }
  if (spec['node_type_id'] === undefined && spec['instance_pool_id'] === undefined) {
    fail(
      '$.node_type_id',
      'CLUSTER_INVALID',
      `\`node_type_id\` is required unless instance_pool_id is set; add a node type such as "Standard_DS3_v2" (${REFERENCE}).`,
    );
  }
  if (spec['num_workers'] === undefined && spec['autoscale'] === undefined) {
    fail(
      '$.num_workers',
      'CLUSTER_INVALID',
      `\`num_workers\` or \`autoscale\` is required; add "num_workers": 2, or "autoscale": {"min_workers": 1, "max_workers": 4} (${REFERENCE}).`,
    );
  } else if (spec['num_workers'] !== undefined && spec['autoscale'] !== undefined) {
    fail(
      '$.autoscale',
      'CLUSTER_INVALID',
      `\`num_workers\` and \`autoscale\` are both set; keep one (autoscale for a variable size, num_workers for a fixed one) (${REFERENCE}).`,
    );
  }

  const resolved = resolveInitScripts(spec['init_scripts'], ['init_scripts'], {
    file: file.path,
    options,
    initScripts,
    index,
  });
  diagnostics.push(...resolved.diagnostics);
  if (resolved.diagnostics.some((d) => d.severity === 'error')) valid = false;
  if (spec['init_scripts'] !== undefined) spec['init_scripts'] = resolved.value;

  const name =
    typeof spec['cluster_name'] === 'string' && /\S/.test(spec['cluster_name'])
      ? spec['cluster_name']
      : undefined;
  if (!valid || name === undefined) return { name };
  const item: ClusterItem = {
    key: `clusters.${name}`,
    name,
    source: file.path,
    spec,
    sha256: sha256OfJson(spec),
    initScriptRefs: resolved.refs,
    ...(resolved.external.length > 0 ? { externalInitScripts: resolved.external } : {}),
  };
  return { name, item };
}
