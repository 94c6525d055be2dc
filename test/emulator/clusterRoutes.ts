// Test infrastructure: the Clusters API 2.1 endpoints (api-contract.md "Clusters").
import { ApiError } from './ApiError';
import type { ClusterRecord } from './ClusterStore';
import type { JsonObject } from './JsonValue';
import type { RequestReader } from './RequestReader';
import type { Route } from './Route';
import { isNodeType, isSparkVersion, nodeTypes, sparkVersions } from './runtimeCatalog';
import type { WorkspaceState } from './WorkspaceState';

const defaultPageSize = 20;
// The real API says the server may lower page_size further; it does not refuse a larger one.
const maxPageSize = 100;

export const clusterRoutes: Record<string, Route> = {
  '2.1/clusters/list': {
    method: 'GET',
    handle(workspace, request) {
      const pageSize = Math.min(request.optionalInteger('page_size') ?? defaultPageSize, maxPageSize);
      if (pageSize < 1) throw ApiError.invalidParameter('page_size must be positive');
      const token = request.optionalString('page_token');
      const records = workspace.clusters.records().filter(matchesFilter(workspace, request));
      const after = token === undefined ? -1 : decodePageToken(token);
      const firstAfter = records.findIndex((cluster) => sequenceOf(cluster.clusterId) > after);
      const start = firstAfter === -1 ? records.length : firstAfter;
      const page = records.slice(start, start + pageSize);
      const last = page.at(-1);
      const result: JsonObject = {};
      if (page.length > 0) result['clusters'] = page.map((cluster) => workspace.clusters.infoOf(cluster));
      if (last && start + pageSize < records.length)
        result['next_page_token'] = encodePageToken(last.clusterId);
      return result;
    },
  },
  '2.1/clusters/get': {
    method: 'GET',
    handle(workspace, request) {
      return workspace.clusters.info(request.string('cluster_id'));
    },
  },
  '2.1/clusters/create': {
    method: 'POST',
    handle(workspace, request) {
      requireOffered(request.body);
      workspace.policies.enforce(request.body, 'all-purpose');
      return { cluster_id: workspace.clusters.create(request.body) };
    },
  },
  '2.1/clusters/edit': {
    method: 'POST',
    handle(workspace, request) {
      request.string('cluster_id');
      requireOffered(request.body);
      workspace.policies.enforce(request.body, 'all-purpose');
      workspace.clusters.edit(request.body);
      return {};
    },
  },
  '2.1/clusters/start': {
    method: 'POST',
    handle(workspace, request) {
      workspace.clusters.start(request.string('cluster_id'));
      return {};
    },
  },
  '2.1/clusters/delete': {
    method: 'POST',
    handle(workspace, request) {
      workspace.clusters.terminate(request.string('cluster_id'));
      return {};
    },
  },
  '2.1/clusters/permanent-delete': {
    method: 'POST',
    handle(workspace, request) {
      workspace.clusters.permanentDelete(request.string('cluster_id'));
      return {};
    },
  },
  // GET /api/2.1/clusters/spark-versions and list-node-types: the SDKs call 2.1, older clients 2.0
  // (https://docs.databricks.com/api/workspace/clusters/sparkversions, .../clusters/listnodetypes).
  ...catalogRoute('spark-versions', () => ({ versions: sparkVersions.map((version) => ({ ...version })) })),
  ...catalogRoute('list-node-types', () => ({ node_types: nodeTypes.map((type) => ({ ...type })) })),
};

function catalogRoute(endpoint: string, body: () => JsonObject): Record<string, Route> {
  const route: Route = { method: 'GET', handle: body };
  return { [`2.0/clusters/${endpoint}`]: route, [`2.1/clusters/${endpoint}`]: route };
}

// The service refuses a runtime or node type the workspace does not offer, with INVALID_PARAMETER_VALUE:
// "Invalid spark version 18.x-photon-scala2.13" (as the service answered, quoted in public reports; the
// Python SDK's error tests use "Invalid spark version"), and "Node type Standard_D16S_v3 is not supported.
// Supported node types: Standard_DS3_v2, ..." (Azure Data Factory's Databricks troubleshooting page).
// Only fields that are present are checked: a pool-backed cluster has no node_type_id.
function requireOffered(body: JsonObject): void {
  const version = body['spark_version'];
  if (typeof version === 'string' && version !== '' && !isSparkVersion(version)) {
    throw ApiError.invalidParameter(`Invalid spark version ${version}.`);
  }
  for (const field of ['node_type_id', 'driver_node_type_id']) {
    const id = body[field];
    if (typeof id === 'string' && id !== '' && !isNodeType(id)) {
      throw ApiError.invalidParameter(
        `Node type ${id} is not supported. Supported node types: ${nodeTypes.map((type) => String(type['node_type_id'])).join(', ')}`,
      );
    }
  }
}

// filter_by (https://docs.databricks.com/api/workspace/clusters/list): cluster_states, cluster_sources,
// is_pinned and policy_id, each narrowing the list; GET clients send them as `filter_by.<field>` query keys.
// The emulator has no pinning, so every cluster is unpinned.
function matchesFilter(
  workspace: WorkspaceState,
  request: RequestReader,
): (cluster: ClusterRecord) => boolean {
  const states = request.strings('filter_by.cluster_states');
  const sources = request.strings('filter_by.cluster_sources');
  const pinned = request.boolean('filter_by.is_pinned', false) ? true : undefined;
  const policyId = request.optionalString('filter_by.policy_id');
  return (cluster) => {
    const info = workspace.clusters.infoOf(cluster);
    const source = typeof info['cluster_source'] === 'string' ? info['cluster_source'] : 'API';
    if (states.length > 0 && !states.includes(cluster.state)) return false;
    if (sources.length > 0 && !sources.includes(source)) return false;
    if (pinned === true) return false;
    return policyId === undefined || cluster.spec['policy_id'] === policyId;
  };
}

// A token names the last cluster of its page by creation sequence (the id's suffix), so deleting a
// cluster between pages neither skips nor repeats any.
function sequenceOf(clusterId: string): number {
  return parseInt(clusterId.slice(-7), 36);
}

function encodePageToken(lastClusterId: string): string {
  return Buffer.from(`clusters:${sequenceOf(lastClusterId)}`).toString('base64url');
}

function decodePageToken(token: string): number {
  const match = /^clusters:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match?.[1]) throw ApiError.invalidParameter(`Invalid page_token ${token}`);
  return Number(match[1]);
}
