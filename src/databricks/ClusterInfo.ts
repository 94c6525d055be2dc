// Pure: cluster shapes of Clusters API 2.1, typed where bricklane reads fields, open elsewhere.

/** Clusters API 2.1 `State`. */
export type ClusterState =
  'PENDING' | 'RUNNING' | 'RESTARTING' | 'RESIZING' | 'TERMINATING' | 'TERMINATED' | 'ERROR' | 'UNKNOWN';

/**
 * The body of clusters/create and clusters/edit. Only the fields the API requires are named; everything else
 * (autoscale, spark_conf, init_scripts, ...) passes through unchanged, so new API fields need no client change.
 */
export interface ClusterSpec {
  cluster_name: string;
  spark_version: string;
  node_type_id?: string;
  instance_pool_id?: string;
  num_workers?: number;
  [field: string]: unknown;
}

/** clusters/get and the items of clusters/list: the spec as stored plus server-set fields. */
export interface ClusterInfo extends ClusterSpec {
  cluster_id: string;
  state: ClusterState | (string & {});
  state_message?: string;
  creator_user_name?: string;
  start_time?: number;
  /** UI, API, JOB, ... — job clusters appear in clusters/list too and cannot be edited. */
  cluster_source?: string;
  default_tags?: Record<string, string>;
}
