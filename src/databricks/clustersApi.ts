// I/O: the Clusters API 2.1 calls of DatabricksWorkspaceClient, one HTTP call each (one per page for lists),
// closed over the client's transport.
import type { ClusterInfo, ClusterSpec } from './ClusterInfo';
import type { DatabricksOperationOptions } from './DatabricksClientOptions';
import {
  optionalString,
  refuseLocally,
  requireString,
  type DatabricksTransport,
} from './DatabricksTransport';
import { getPagedAsyncIterator, type PagedAsyncIterableIterator } from './getPagedAsyncIterator';

export interface CreateClusterOptions extends DatabricksOperationOptions {
  /**
   * Makes the call safe to repeat: the same token (≤ 64 chars) as a live cluster returns that cluster's id
   * and creates nothing (Clusters API 2.1 `idempotency_token`). Without it an ambiguous failure is not retried.
   */
  idempotencyToken?: string;
}

export interface ListClustersOptions extends DatabricksOperationOptions {
  /** Default 100, the API's maximum. */
  pageSize?: number;
}

export type ClustersApi = ReturnType<typeof clustersApi>;

export function clustersApi(transport: DatabricksTransport) {
  return {
    /**
     * All clusters, one page request at a time following `next_page_token`. clusters/list also returns job
     * clusters (`cluster_source: JOB`), which callers filter out.
     */
    listClusters(options: ListClustersOptions = {}): PagedAsyncIterableIterator<ClusterInfo> {
      return getPagedAsyncIterator(async (pageToken) => {
        const result = await transport.send(
          {
            method: 'GET',
            version: '2.1',
            endpoint: 'clusters/list',
            query: { page_size: options.pageSize ?? 100, page_token: pageToken },
            idempotent: true,
          },
          options,
        );
        return {
          items: Array.isArray(result.clusters) ? (result.clusters as ClusterInfo[]) : [],
          continuationToken: optionalString(result.next_page_token),
        };
      }, 'clusters/list');
    },

    /**
     * The runtime keys the workspace offers (`GET /api/2.1/clusters/spark-versions`, `versions[].key`), which
     * clusters/create accepts as `spark_version` (https://docs.databricks.com/api/workspace/clusters/sparkversions).
     */
    async listSparkVersions(options: DatabricksOperationOptions = {}): Promise<string[]> {
      const result = await transport.send(
        { method: 'GET', version: '2.1', endpoint: 'clusters/spark-versions', idempotent: true },
        options,
      );
      return fieldsOf(result.versions, 'key');
    },

    /**
     * The node type ids the workspace offers (`GET /api/2.1/clusters/list-node-types`, `node_types[].node_type_id`;
     * https://docs.databricks.com/api/workspace/clusters/listnodetypes).
     */
    async listNodeTypes(options: DatabricksOperationOptions = {}): Promise<string[]> {
      const result = await transport.send(
        { method: 'GET', version: '2.1', endpoint: 'clusters/list-node-types', idempotent: true },
        options,
      );
      return fieldsOf(result.node_types, 'node_type_id');
    },

    /** Throws DatabricksNotFoundError for an unknown id (the API's 400 "Cluster x does not exist"). */
    async getCluster(clusterId: string, options: DatabricksOperationOptions = {}): Promise<ClusterInfo> {
      const result = await transport.send(
        {
          method: 'GET',
          version: '2.1',
          endpoint: 'clusters/get',
          query: { cluster_id: clusterId },
          idempotent: true,
        },
        options,
      );
      return result as unknown as ClusterInfo;
    },

    /** Creates a cluster (it starts, PENDING -> RUNNING) and returns its id. */
    async createCluster(spec: ClusterSpec, options: CreateClusterOptions = {}): Promise<string> {
      const token = options.idempotencyToken;
      if (token !== undefined && (token.length === 0 || token.length > 64)) {
        throw refuseLocally(
          'clusters/create',
          'INVALID_PARAMETER_VALUE',
          `idempotency_token must be 1 to 64 characters, got ${token.length}`,
        );
      }
      const result = await transport.send(
        {
          method: 'POST',
          version: '2.1',
          endpoint: 'clusters/create',
          body: token === undefined ? { ...spec } : { ...spec, idempotency_token: token },
          // Only the idempotency token makes a repeated create return the same cluster instead of a second one.
          idempotent: token !== undefined,
        },
        options,
      );
      return requireString(result, 'cluster_id', 'clusters/create');
    },

    /**
     * Replaces the cluster's spec. Allowed in RUNNING (the cluster restarts) or TERMINATED; otherwise
     * DatabricksInvalidStateError. Not retried after ambiguous failures: a repeat would hit the RESTARTING
     * state it caused and report a misleading InvalidState.
     */
    async editCluster(
      clusterId: string,
      spec: ClusterSpec,
      options: DatabricksOperationOptions = {},
    ): Promise<void> {
      await transport.send(
        {
          method: 'POST',
          version: '2.1',
          endpoint: 'clusters/edit',
          body: { ...spec, cluster_id: clusterId },
          idempotent: false,
        },
        options,
      );
    },

    /** Starts a TERMINATED cluster. Not retried after ambiguous failures, for the same reason as edit. */
    async startCluster(clusterId: string, options: DatabricksOperationOptions = {}): Promise<void> {
      await transport.send(
        {
          method: 'POST',
          version: '2.1',
          endpoint: 'clusters/start',
          body: { cluster_id: clusterId },
          idempotent: false,
        },
        options,
      );
    },

    /**
     * Terminates the cluster (clusters/delete: the cluster stays listed, TERMINATED; clusters/permanent-delete
     * would remove it). Terminating a terminated one is a no-op, so it is retried.
     */
    async terminateCluster(clusterId: string, options: DatabricksOperationOptions = {}): Promise<void> {
      await transport.send(
        {
          method: 'POST',
          version: '2.1',
          endpoint: 'clusters/delete',
          body: { cluster_id: clusterId },
          idempotent: true,
        },
        options,
      );
    },
  };
}

/** The string `field` of each object in a list answer; anything else is skipped. */
function fieldsOf(list: unknown, field: string): string[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((item: unknown) => {
    const value =
      typeof item === 'object' && item !== null ? (item as Record<string, unknown>)[field] : undefined;
    return typeof value === 'string' ? [value] : [];
  });
}
