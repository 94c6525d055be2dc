// I/O: the typed client of one Azure Databricks workspace's REST API (Workspace 2.0, DBFS 2.0, Clusters 2.1,
// Jobs 2.2). One method = one HTTP call. The calls live in one file per API area; every one goes through this
// client's DatabricksTransport (scheduler, retries with per-endpoint repeat safety, redaction, reporting).
import { clustersApi, type ClustersApi } from './clustersApi';
import type { DatabricksClientOptions } from './DatabricksClientOptions';
import type { DatabricksCredential } from './DatabricksCredential';
import { DatabricksTransport } from './DatabricksTransport';
import { dbfsApi, type DbfsApi } from './dbfsApi';
import { filesApi, type FilesApi } from './filesApi';
import { jobsApi, type JobsApi } from './jobsApi';
import { permissionsApi, type PermissionsApi } from './permissionsApi';
import { policiesApi, type PoliciesApi } from './policiesApi';
import type { RequestScheduler } from './RequestScheduler';
import { runsApi, type RunsApi } from './runsApi';
import { secretsApi, type SecretsApi } from './secretsApi';
import { workspaceApi, type WorkspaceApi } from './workspaceApi';

export class DatabricksWorkspaceClient {
  /** Normalized, without trailing slash; may carry a path prefix. */
  readonly workspaceUrl: string;
  /** The scheduler every request of this client goes through (shared when passed in options). */
  readonly scheduler: RequestScheduler;

  // The methods are the area functions, closed over this client's transport (assigned in the constructor, so
  // declared here without emitting a field). Each area file says what its calls do and which are retried.

  // Workspace API 2.0 (workspaceApi.ts)
  declare readonly createWorkspaceFolder: WorkspaceApi['createWorkspaceFolder'];
  declare readonly importWorkspaceObject: WorkspaceApi['importWorkspaceObject'];
  declare readonly importWorkspaceDirectory: WorkspaceApi['importWorkspaceDirectory'];
  declare readonly getWorkspaceObjectStatus: WorkspaceApi['getWorkspaceObjectStatus'];
  declare readonly listWorkspaceFolder: WorkspaceApi['listWorkspaceFolder'];
  declare readonly deleteWorkspaceObject: WorkspaceApi['deleteWorkspaceObject'];

  // DBFS API 2.0 (dbfsApi.ts)
  declare readonly putDbfsFile: DbfsApi['putDbfsFile'];
  declare readonly openDbfsStream: DbfsApi['openDbfsStream'];
  declare readonly addDbfsBlock: DbfsApi['addDbfsBlock'];
  declare readonly closeDbfsStream: DbfsApi['closeDbfsStream'];
  declare readonly getDbfsStatus: DbfsApi['getDbfsStatus'];
  declare readonly deleteDbfsPath: DbfsApi['deleteDbfsPath'];

  // Files API 2.0, Unity Catalog volumes (filesApi.ts)
  declare readonly uploadFile: FilesApi['uploadFile'];
  declare readonly getFileMetadata: FilesApi['getFileMetadata'];
  declare readonly deleteFile: FilesApi['deleteFile'];
  declare readonly createVolumeDirectory: FilesApi['createVolumeDirectory'];
  declare readonly listVolumeDirectory: FilesApi['listVolumeDirectory'];

  // Clusters API 2.1 (clustersApi.ts)
  declare readonly listClusters: ClustersApi['listClusters'];
  declare readonly getCluster: ClustersApi['getCluster'];
  declare readonly createCluster: ClustersApi['createCluster'];
  declare readonly editCluster: ClustersApi['editCluster'];
  declare readonly startCluster: ClustersApi['startCluster'];
  declare readonly terminateCluster: ClustersApi['terminateCluster'];
  declare readonly listSparkVersions: ClustersApi['listSparkVersions'];
  declare readonly listNodeTypes: ClustersApi['listNodeTypes'];

  // Jobs API 2.2 (jobsApi.ts)
  declare readonly listJobs: JobsApi['listJobs'];
  declare readonly getJob: JobsApi['getJob'];
  declare readonly createJob: JobsApi['createJob'];
  declare readonly resetJob: JobsApi['resetJob'];
  declare readonly deleteJob: JobsApi['deleteJob'];

  // Jobs API 2.2 runs: a bundle's checks (runsApi.ts)
  declare readonly runNow: RunsApi['runNow'];
  declare readonly getRun: RunsApi['getRun'];
  declare readonly getRunOutput: RunsApi['getRunOutput'];
  declare readonly cancelRun: RunsApi['cancelRun'];

  // Cluster Policies API 2.0 (policiesApi.ts)
  declare readonly listPolicies: PoliciesApi['listPolicies'];
  declare readonly getPolicy: PoliciesApi['getPolicy'];
  declare readonly createPolicy: PoliciesApi['createPolicy'];
  declare readonly editPolicy: PoliciesApi['editPolicy'];
  declare readonly deletePolicy: PoliciesApi['deletePolicy'];

  // Permissions API 2.0 (permissionsApi.ts)
  declare readonly getPermissions: PermissionsApi['getPermissions'];
  declare readonly updatePermissions: PermissionsApi['updatePermissions'];
  declare readonly setPermissions: PermissionsApi['setPermissions'];

  // Secrets API 2.0 (secretsApi.ts)
  declare readonly listSecretScopes: SecretsApi['listSecretScopes'];
  declare readonly createSecretScope: SecretsApi['createSecretScope'];
  declare readonly deleteSecretScope: SecretsApi['deleteSecretScope'];
  declare readonly listSecrets: SecretsApi['listSecrets'];
  declare readonly putSecret: SecretsApi['putSecret'];
  declare readonly deleteSecret: SecretsApi['deleteSecret'];
  declare readonly listSecretAcls: SecretsApi['listSecretAcls'];
  declare readonly putSecretAcl: SecretsApi['putSecretAcl'];
  declare readonly deleteSecretAcl: SecretsApi['deleteSecretAcl'];

  constructor(workspaceUrl: string, credential: DatabricksCredential, options: DatabricksClientOptions = {}) {
    const transport = new DatabricksTransport(workspaceUrl, credential, options);
    this.workspaceUrl = transport.workspaceUrl;
    this.scheduler = transport.scheduler;
    // Typed as the client's own methods, so a method declared above but missing from its area fails to compile.
    const methods: Omit<DatabricksWorkspaceClient, 'workspaceUrl' | 'scheduler'> = {
      ...workspaceApi(transport),
      ...dbfsApi(transport),
      ...filesApi(transport),
      ...clustersApi(transport),
      ...jobsApi(transport),
      ...runsApi(transport),
      ...secretsApi(transport),
      ...policiesApi(transport),
      ...permissionsApi(transport),
    };
    Object.assign(this, methods);
  }
}
