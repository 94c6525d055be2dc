// Test infrastructure: the contract table. Every endpoint bricklane calls (src/databricks/*Api.ts), once,
// in order, each with a runner for the official SDK (@databricks/sdk-experimental, its own request shapes)
// and one for bricklane's DatabricksWorkspaceClient, and the outcome both must see from the emulator.
// Runners return a small normalized value (what a caller reads) so both clients compare to one expectation.
// Later rows read back what earlier rows wrote, so the rows are the state checks too.
import type { WorkspaceClient } from '@databricks/sdk-experimental';
import type { DatabricksWorkspaceClient } from '../../src/databricks/DatabricksWorkspaceClient';
import type { JsonValue } from '../emulator/JsonValue';
import { buildArchive } from '../emulator/notebookFormats';
import type { WorkspaceState } from '../emulator/WorkspaceState';

/** Ids the rows hand on to later rows (a cluster, a job, a DBFS handle). */
export interface ContractContext {
  clusterId: string;
  otherClusterId: string;
  jobId: number;
  otherJobId: number;
  handle: number;
  /** The serverless job (environments, environment_key) the serverless rows create and read. */
  serverlessJobId?: number;
  /** A job with more environments than jobs/get 2.2 answers in one page. */
  environmentsJobId?: number;
  /** The cluster policy the policy rows create, and the clusters and permissions rows use. */
  policyId?: string;
  /** The serverless job's run the run rows start, and its one task run. */
  runId?: number;
  taskRunId?: number;
}

/** What a call must do: return this value, or fail with this error_code. */
export type ContractOutcome = { returns: JsonValue } | { errorCode: string };

export interface ContractCall {
  name: string;
  /** The endpoint (path after /api/) both clients must reach; the method is each client's own (405 otherwise). */
  endpoint: string;
  /** bricklane refuses the call before sending it (its own copy of the limit), with the same error_code. */
  bricklaneRefusesLocally?: true;
  expect: ContractOutcome;
  /** Where bricklane's client reads the same answer differently (e.g. a missing object as undefined). */
  bricklaneExpect?: ContractOutcome;
  /** Moves the emulated world first where only time would (a cluster done terminating). */
  arrange?(workspace: WorkspaceState, ctx: ContractContext): void;
  sdk(ws: WorkspaceClient, ctx: ContractContext): Promise<JsonValue>;
  bricklane(client: DatabricksWorkspaceClient, ctx: ContractContext): Promise<JsonValue>;
}

const folder = '/Shared/contract';
const notebook = `${folder}/etl`;
const dbfsFolder = '/FileStore/contract';
const python = Buffer.from('print("contract")\n');
/** A folder of sources as a SOURCE directory import carries it: its name on top, a notebook, a sub-folder. */
const importedFolder = `${folder}/imported`;
const sourceZip = buildArchive([
  { path: 'imported/etl.py', data: Buffer.from('# Databricks notebook source\nprint("etl")\n') },
  { path: 'imported/sub/q.sql', data: Buffer.from('-- Databricks notebook source\nSELECT 1\n') },
]);
/** Both clients' directory import of `sourceZip` at `importedFolder` (SOURCE, no language). */
const importSourceZip: Pick<ContractCall, 'sdk' | 'bricklane'> = {
  sdk: (ws) =>
    ws.workspace
      .import({ path: importedFolder, format: 'SOURCE', content: sourceZip.toString('base64') })
      .then(done),
  bricklane: (client) => client.importWorkspaceDirectory(importedFolder, sourceZip).then(done),
};
/**
 * 7,500,001 bytes: 10,000,004 characters of base64, above the workspace/import content limit (10 MB of base64,
 * MAX_NOTEBOOK_SIZE_EXCEEDED) though well under 10 MiB decoded.
 */
const overImportLimit = Buffer.alloc(7_500_001, 0x61);
/** 1 MiB + 1: above the dbfs/put and dbfs/add-block limit (MAX_BLOCK_SIZE_EXCEEDED). */
const overBlockLimit = Buffer.alloc(1_048_576 + 1, 0x62);
const cluster = {
  cluster_name: 'contract-small',
  spark_version: '15.4.x-scala2.12',
  node_type_id: 'Standard_DS3_v2',
};
const jobSettings = (name: string, taskCount = 1) => ({
  name,
  job_clusters: [{ job_cluster_key: 'main', new_cluster: { ...cluster, num_workers: 1 } }],
  tasks: Array.from({ length: taskCount }, (_, i) => ({
    task_key: `t${i}`,
    job_cluster_key: 'main',
    notebook_task: { notebook_path: notebook },
  })),
});
/** A serverless job: one environment (version + pip dependencies), one task that names it and no cluster. */
const serverlessJob = (environmentKey = 'default') => ({
  name: 'contract_serverless',
  environments: [
    { environment_key: 'default', spec: { environment_version: '2', dependencies: ['requests==2.32.3'] } },
  ],
  tasks: [{ task_key: 'run', environment_key: environmentKey, notebook_task: { notebook_path: notebook } }],
});
/** 150 environments (above the 100 per page of jobs/get 2.2), the last one used by the task. */
const manyEnvironmentsJob = () => ({
  name: 'contract_environments',
  environments: Array.from({ length: largeJobTasks }, (_, i) => ({
    environment_key: `e${i}`,
    spec: { environment_version: '2' },
  })),
  tasks: [
    {
      task_key: 'run',
      environment_key: `e${largeJobTasks - 1}`,
      notebook_task: { notebook_path: notebook },
    },
  ],
});
/** A Unity Catalog volume and an init script in it (Files API rows). */
const volume = '/Volumes/main/contract/scripts';
const volumeFile = `${volume}/init/setup.sh`;
/** Above the 100 entries jobs/get 2.2 answers per page. */
const largeJobTasks = 150;

const done = async (): Promise<JsonValue> => 'ok';
const contractDefinition = {
  num_workers: { type: 'range', maxValue: 4 },
  'custom_tags.team': { type: 'fixed', value: 'data' },
};
const contractPolicy = {
  name: 'contract-policy',
  definition: JSON.stringify(contractDefinition),
  max_clusters_per_user: 1,
};
/** What a caller reads of a policy: its name, its limit, and its definition parsed. */
const policyView = (p: {
  name?: string;
  max_clusters_per_user?: number;
  definition?: string;
}): JsonValue => ({
  name: p.name ?? null,
  max: p.max_clusters_per_user ?? null,
  definition: JSON.parse(p.definition ?? 'null') as JsonValue,
});
interface AclAnswer {
  access_control_list?: {
    user_name?: string;
    group_name?: string;
    service_principal_name?: string;
    all_permissions?: { permission_level?: string; inherited?: boolean }[];
  }[];
}
/** An access-control list as `<principal field>:<name>=<level>`, sorted; inherited levels only when asked. */
const aclView = (acl: AclAnswer, withInherited = false): JsonValue =>
  (acl.access_control_list ?? [])
    .flatMap((e) => {
      const who =
        e.user_name !== undefined
          ? `user_name:${e.user_name}`
          : e.group_name !== undefined
            ? `group_name:${e.group_name}`
            : `service_principal_name:${e.service_principal_name ?? ''}`;
      return (e.all_permissions ?? [])
        .filter((p) => withInherited || p.inherited !== true)
        .map((p) => `${who}=${p.permission_level ?? ''}${p.inherited === true ? ' (inherited)' : ''}`);
    })
    .sort();
/** `path object_type language` of each listed object, sorted: what a directory import made. */
const kinds = (items: Array<{ path?: string; object_type?: string; language?: string }>): JsonValue =>
  items.map((i) => [i.path, i.object_type, i.language].filter(Boolean).join(' ')).sort();
/** bricklane's get-status calls read RESOURCE_DOES_NOT_EXIST as undefined (sendOrUndefined). */
const presence = (status: unknown): JsonValue => (status === undefined ? 'absent' : 'present');
const names = (items: Array<{ path?: string; cluster_name?: string; settings?: { name?: string } }>) =>
  items.map((item) => item.path ?? item.cluster_name ?? item.settings?.name ?? '?').sort();

/** Every item of a paged iterator (the SDK's list methods, bricklane's list*). */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

export const contractCalls: ContractCall[] = [
  // Workspace API 2.0 (workspaceApi.ts)
  {
    name: 'workspace/mkdirs creates a folder and its parents',
    endpoint: '2.0/workspace/mkdirs',
    expect: { returns: 'ok' },
    sdk: (ws) => ws.workspace.mkdirs({ path: folder }).then(done),
    bricklane: (client) => client.createWorkspaceFolder(folder).then(done),
  },
  {
    name: 'workspace/import imports a SOURCE notebook with its language',
    endpoint: '2.0/workspace/import',
    expect: { returns: 'ok' },
    sdk: (ws) =>
      ws.workspace
        .import({ path: notebook, format: 'SOURCE', language: 'PYTHON', content: python.toString('base64') })
        .then(done),
    bricklane: (client) =>
      client
        .importWorkspaceObject({
          path: notebook,
          format: 'SOURCE',
          language: 'PYTHON',
          content: python,
          overwrite: false,
        })
        .then(done),
  },
  {
    name: 'workspace/import over an existing notebook without overwrite is RESOURCE_ALREADY_EXISTS',
    endpoint: '2.0/workspace/import',
    expect: { errorCode: 'RESOURCE_ALREADY_EXISTS' },
    sdk: (ws) =>
      ws.workspace
        .import({ path: notebook, format: 'SOURCE', language: 'PYTHON', content: python.toString('base64') })
        .then(done),
    bricklane: (client) =>
      client
        .importWorkspaceObject({
          path: notebook,
          format: 'SOURCE',
          language: 'PYTHON',
          content: python,
          overwrite: false,
        })
        .then(done),
  },
  {
    name: 'workspace/import of more than 10 MB of base64 is MAX_NOTEBOOK_SIZE_EXCEEDED',
    endpoint: '2.0/workspace/import',
    bricklaneRefusesLocally: true,
    expect: { errorCode: 'MAX_NOTEBOOK_SIZE_EXCEEDED' },
    sdk: (ws) =>
      ws.workspace
        .import({
          path: `${folder}/huge`,
          format: 'SOURCE',
          language: 'PYTHON',
          content: overImportLimit.toString('base64'),
        })
        .then(done),
    bricklane: (client) =>
      client
        .importWorkspaceObject({
          path: `${folder}/huge`,
          format: 'SOURCE',
          language: 'PYTHON',
          content: overImportLimit,
          overwrite: false,
        })
        .then(done),
  },
  {
    name: 'workspace/get-status reads the notebook back',
    endpoint: '2.0/workspace/get-status',
    expect: { returns: { path: notebook, object_type: 'NOTEBOOK', language: 'PYTHON' } },
    sdk: async (ws) => {
      const { path, object_type, language } = await ws.workspace.getStatus({ path: notebook });
      return { path: path ?? null, object_type: object_type ?? null, language: language ?? null };
    },
    bricklane: async (client) => {
      const status = await client.getWorkspaceObjectStatus(notebook);
      return {
        path: status?.path ?? null,
        object_type: status?.object_type ?? null,
        language: status?.language ?? null,
      };
    },
  },
  {
    name: 'workspace/list lists the folder',
    endpoint: '2.0/workspace/list',
    expect: { returns: [notebook] },
    sdk: async (ws) => names(await collect(ws.workspace.list({ path: folder }))),
    bricklane: async (client) => names(await client.listWorkspaceFolder(folder)),
  },
  {
    // "To import a directory, you can use either the DBC format or the SOURCE format with the language field
    // unset" (https://docs.databricks.com/api/workspace/workspace/import); bricklane's directory import (issue 14).
    name: 'workspace/import of a SOURCE zip without language imports a new folder',
    endpoint: '2.0/workspace/import',
    expect: { returns: 'ok' },
    ...importSourceZip,
  },
  {
    name: 'workspace/list reads the directory import back: notebooks by extension and header, and folders',
    endpoint: '2.0/workspace/list',
    expect: {
      returns: [`${importedFolder}/etl NOTEBOOK PYTHON`, `${importedFolder}/sub DIRECTORY`],
    },
    sdk: async (ws) => kinds(await collect(ws.workspace.list({ path: importedFolder }))),
    bricklane: async (client) => kinds(await client.listWorkspaceFolder(importedFolder)),
  },
  {
    name: 'workspace/import of a SOURCE zip over an existing folder is RESOURCE_ALREADY_EXISTS',
    endpoint: '2.0/workspace/import',
    expect: { errorCode: 'RESOURCE_ALREADY_EXISTS' },
    ...importSourceZip,
  },
  {
    name: 'workspace/delete of a non-empty folder without recursive is DIRECTORY_NOT_EMPTY',
    endpoint: '2.0/workspace/delete',
    expect: { errorCode: 'DIRECTORY_NOT_EMPTY' },
    sdk: (ws) => ws.workspace.delete({ path: folder }).then(done),
    bricklane: (client) => client.deleteWorkspaceObject(folder).then(done),
  },
  {
    name: 'workspace/delete recursive removes the folder',
    endpoint: '2.0/workspace/delete',
    expect: { returns: 'ok' },
    sdk: (ws) => ws.workspace.delete({ path: folder, recursive: true }).then(done),
    bricklane: (client) => client.deleteWorkspaceObject(folder, { recursive: true }).then(done),
  },
  {
    name: 'workspace/get-status of a deleted path is RESOURCE_DOES_NOT_EXIST',
    endpoint: '2.0/workspace/get-status',
    expect: { errorCode: 'RESOURCE_DOES_NOT_EXIST' },
    bricklaneExpect: { returns: 'absent' },
    sdk: (ws) => ws.workspace.getStatus({ path: notebook }).then(done),
    bricklane: (client) => client.getWorkspaceObjectStatus(notebook).then(presence),
  },

  // DBFS API 2.0 (dbfsApi.ts)
  {
    name: 'dbfs/put writes a small file',
    endpoint: '2.0/dbfs/put',
    expect: { returns: 'ok' },
    sdk: (ws) => ws.dbfs.put({ path: `${dbfsFolder}/a.sh`, contents: python.toString('base64') }).then(done),
    bricklane: (client) => client.putDbfsFile(`${dbfsFolder}/a.sh`, python).then(done),
  },
  {
    name: 'dbfs/put over an existing file without overwrite is RESOURCE_ALREADY_EXISTS',
    endpoint: '2.0/dbfs/put',
    expect: { errorCode: 'RESOURCE_ALREADY_EXISTS' },
    sdk: (ws) => ws.dbfs.put({ path: `${dbfsFolder}/a.sh`, contents: python.toString('base64') }).then(done),
    bricklane: (client) => client.putDbfsFile(`${dbfsFolder}/a.sh`, python).then(done),
  },
  {
    name: 'dbfs/put of more than 1 MiB is MAX_BLOCK_SIZE_EXCEEDED',
    endpoint: '2.0/dbfs/put',
    bricklaneRefusesLocally: true,
    expect: { errorCode: 'MAX_BLOCK_SIZE_EXCEEDED' },
    sdk: (ws) =>
      ws.dbfs.put({ path: `${dbfsFolder}/big`, contents: overBlockLimit.toString('base64') }).then(done),
    bricklane: (client) => client.putDbfsFile(`${dbfsFolder}/big`, overBlockLimit).then(done),
  },
  {
    name: 'dbfs/create opens a stream',
    endpoint: '2.0/dbfs/create',
    expect: { returns: 'number' },
    sdk: async (ws, ctx) => {
      const { handle } = await ws.dbfs.create({ path: `${dbfsFolder}/stream.bin` });
      ctx.handle = handle ?? -1;
      return typeof handle;
    },
    bricklane: async (client, ctx) => {
      ctx.handle = await client.openDbfsStream(`${dbfsFolder}/stream.bin`);
      return typeof ctx.handle;
    },
  },
  {
    name: 'dbfs/add-block of more than 1 MiB is MAX_BLOCK_SIZE_EXCEEDED',
    endpoint: '2.0/dbfs/add-block',
    bricklaneRefusesLocally: true,
    expect: { errorCode: 'MAX_BLOCK_SIZE_EXCEEDED' },
    sdk: (ws, ctx) =>
      ws.dbfs.addBlock({ handle: ctx.handle, data: overBlockLimit.toString('base64') }).then(done),
    bricklane: (client, ctx) => client.addDbfsBlock(ctx.handle, overBlockLimit).then(done),
  },
  {
    name: 'dbfs/add-block appends a block',
    endpoint: '2.0/dbfs/add-block',
    expect: { returns: 'ok' },
    sdk: (ws, ctx) => ws.dbfs.addBlock({ handle: ctx.handle, data: python.toString('base64') }).then(done),
    bricklane: (client, ctx) => client.addDbfsBlock(ctx.handle, python).then(done),
  },
  {
    name: 'dbfs/close closes the stream',
    endpoint: '2.0/dbfs/close',
    expect: { returns: 'ok' },
    sdk: (ws, ctx) => ws.dbfs.close({ handle: ctx.handle }).then(done),
    bricklane: (client, ctx) => client.closeDbfsStream(ctx.handle).then(done),
  },
  {
    name: 'dbfs/get-status reads the streamed file back',
    endpoint: '2.0/dbfs/get-status',
    expect: { returns: { path: `${dbfsFolder}/stream.bin`, is_dir: false, file_size: python.length } },
    sdk: async (ws) => {
      const { path, is_dir, file_size } = await ws.dbfs.getStatus({ path: `${dbfsFolder}/stream.bin` });
      return { path: path ?? null, is_dir: is_dir ?? false, file_size: file_size ?? null };
    },
    bricklane: async (client) => {
      const status = await client.getDbfsStatus(`${dbfsFolder}/stream.bin`);
      return {
        path: status?.path ?? null,
        is_dir: status?.is_dir ?? false,
        file_size: status?.file_size ?? null,
      };
    },
  },
  {
    // "If the path is a non-empty directory and recursive is set to false ... this call throws an exception
    // with IO_ERROR." (https://docs.databricks.com/api/workspace/dbfs/delete)
    name: 'dbfs/delete of a non-empty folder without recursive is IO_ERROR',
    endpoint: '2.0/dbfs/delete',
    expect: { errorCode: 'IO_ERROR' },
    sdk: (ws) => ws.dbfs.delete({ path: dbfsFolder }).then(done),
    bricklane: (client) => client.deleteDbfsPath(dbfsFolder).then(done),
  },
  {
    name: 'dbfs/delete recursive removes the folder',
    endpoint: '2.0/dbfs/delete',
    expect: { returns: 'ok' },
    sdk: (ws) => ws.dbfs.delete({ path: dbfsFolder, recursive: true }).then(done),
    bricklane: (client) => client.deleteDbfsPath(dbfsFolder, { recursive: true }).then(done),
  },
  {
    name: 'dbfs/get-status of a deleted path is RESOURCE_DOES_NOT_EXIST',
    endpoint: '2.0/dbfs/get-status',
    expect: { errorCode: 'RESOURCE_DOES_NOT_EXIST' },
    bricklaneExpect: { returns: 'absent' },
    sdk: (ws) => ws.dbfs.getStatus({ path: `${dbfsFolder}/a.sh` }).then(done),
    bricklane: (client) => client.getDbfsStatus(`${dbfsFolder}/a.sh`).then(presence),
  },

  // Clusters API 2.1 (clustersApi.ts)
  {
    name: 'clusters/spark-versions offers the runtime the contract cluster uses',
    endpoint: '2.1/clusters/spark-versions',
    expect: { returns: true },
    sdk: async (ws) =>
      ((await ws.clusters.sparkVersions()).versions ?? []).some(({ key }) => key === cluster.spark_version),
    bricklane: async (client) => (await client.listSparkVersions()).includes(cluster.spark_version),
  },
  {
    name: 'clusters/list-node-types offers the node type the contract cluster uses',
    endpoint: '2.1/clusters/list-node-types',
    expect: { returns: true },
    sdk: async (ws) =>
      ((await ws.clusters.listNodeTypes()).node_types ?? []).some(
        ({ node_type_id }) => node_type_id === cluster.node_type_id,
      ),
    bricklane: async (client) => (await client.listNodeTypes()).includes(cluster.node_type_id),
  },
  {
    // The service refuses a runtime the workspace does not offer (issue 11: the emulator used to take it).
    name: 'clusters/create with a spark_version outside spark-versions is INVALID_PARAMETER_VALUE',
    endpoint: '2.1/clusters/create',
    expect: { errorCode: 'INVALID_PARAMETER_VALUE' },
    sdk: (ws) => ws.clusters.create({ ...cluster, spark_version: '99.9.x-scala9' }).then(done),
    bricklane: (client) => client.createCluster({ ...cluster, spark_version: '99.9.x-scala9' }).then(done),
  },
  {
    // The SDK sends no idempotency_token (see sdkContract.test.ts); bricklane sends one.
    name: 'clusters/create creates two clusters',
    endpoint: '2.1/clusters/create',
    expect: { returns: ['string', 'string'] },
    sdk: async (ws, ctx) => {
      const first = (await ws.clusters.create(cluster)).cluster_id;
      const second = (await ws.clusters.create({ ...cluster, cluster_name: 'contract-other' })).cluster_id;
      [ctx.clusterId, ctx.otherClusterId] = [first ?? '', second ?? ''];
      return [typeof first, typeof second];
    },
    bricklane: async (client, ctx) => {
      ctx.clusterId = await client.createCluster(cluster, { idempotencyToken: 'contract-small' });
      ctx.otherClusterId = await client.createCluster({ ...cluster, cluster_name: 'contract-other' });
      return [typeof ctx.clusterId, typeof ctx.otherClusterId];
    },
  },
  {
    name: 'clusters/get reads a new cluster back, PENDING',
    endpoint: '2.1/clusters/get',
    expect: {
      returns: { cluster_name: 'contract-small', spark_version: cluster.spark_version, state: 'PENDING' },
    },
    sdk: async (ws, ctx) => {
      const { cluster_name, spark_version, state } = await ws.clusters.get({ cluster_id: ctx.clusterId });
      return {
        cluster_name: cluster_name ?? null,
        spark_version: spark_version ?? null,
        state: state ?? null,
      };
    },
    bricklane: async (client, ctx) => {
      const { cluster_name, spark_version, state } = await client.getCluster(ctx.clusterId);
      return { cluster_name, spark_version, state: state ?? null };
    },
  },
  {
    // "Clusters can be updated only while in a RUNNING or TERMINATED state" (clusters/edit reference).
    name: 'clusters/edit of a PENDING cluster is INVALID_STATE',
    endpoint: '2.1/clusters/edit',
    expect: { errorCode: 'INVALID_STATE' },
    sdk: (ws, ctx) => ws.clusters.edit({ ...cluster, cluster_id: ctx.clusterId, num_workers: 2 }).then(done),
    bricklane: (client, ctx) => client.editCluster(ctx.clusterId, { ...cluster, num_workers: 2 }).then(done),
  },
  {
    name: 'clusters/list pages with next_page_token (page_size 1)',
    endpoint: '2.1/clusters/list',
    expect: { returns: ['contract-other', 'contract-small'] },
    sdk: async (ws) => names(await collect(ws.clusters.list({ page_size: 1 }))),
    bricklane: async (client) => names(await collect(client.listClusters({ pageSize: 1 }))),
  },
  {
    name: 'clusters/delete terminates a cluster',
    endpoint: '2.1/clusters/delete',
    expect: { returns: 'ok' },
    sdk: (ws, ctx) => ws.clusters.delete({ cluster_id: ctx.clusterId }).then(done),
    bricklane: (client, ctx) => client.terminateCluster(ctx.clusterId).then(done),
  },
  {
    name: 'clusters/start of a TERMINATING cluster is INVALID_STATE',
    endpoint: '2.1/clusters/start',
    expect: { errorCode: 'INVALID_STATE' },
    sdk: (ws, ctx) => ws.clusters.start({ cluster_id: ctx.clusterId }).then(done),
    bricklane: (client, ctx) => client.startCluster(ctx.clusterId).then(done),
  },
  {
    name: 'clusters/edit of a TERMINATED cluster is accepted',
    endpoint: '2.1/clusters/edit',
    expect: { returns: 'ok' },
    arrange: (workspace, ctx) => workspace.clusters.setState(ctx.clusterId, 'TERMINATED'),
    sdk: (ws, ctx) => ws.clusters.edit({ ...cluster, cluster_id: ctx.clusterId, num_workers: 2 }).then(done),
    bricklane: (client, ctx) => client.editCluster(ctx.clusterId, { ...cluster, num_workers: 2 }).then(done),
  },
  {
    name: 'clusters/get after the edit: the new spec, still TERMINATED',
    endpoint: '2.1/clusters/get',
    expect: { returns: { num_workers: 2, state: 'TERMINATED' } },
    sdk: async (ws, ctx) => {
      const { num_workers, state } = await ws.clusters.get({ cluster_id: ctx.clusterId });
      return { num_workers: num_workers ?? null, state: state ?? null };
    },
    bricklane: async (client, ctx) => {
      const { num_workers, state } = await client.getCluster(ctx.clusterId);
      return { num_workers: num_workers ?? null, state: state ?? null };
    },
  },
  {
    name: 'clusters/start of a TERMINATED cluster starts it (PENDING)',
    endpoint: '2.1/clusters/start',
    expect: { returns: 'ok' },
    sdk: (ws, ctx) => ws.clusters.start({ cluster_id: ctx.clusterId }).then(done),
    bricklane: (client, ctx) => client.startCluster(ctx.clusterId).then(done),
  },
  {
    name: 'clusters/get of an unknown cluster is INVALID_PARAMETER_VALUE',
    endpoint: '2.1/clusters/get',
    expect: { errorCode: 'INVALID_PARAMETER_VALUE' },
    sdk: (ws) => ws.clusters.get({ cluster_id: '0000-000000-nothere' }).then(done),
    bricklane: (client) => client.getCluster('0000-000000-nothere').then(done),
  },

  // Jobs API (jobsApi.ts)
  {
    name: 'jobs/create creates two jobs, one of 150 tasks',
    endpoint: '2.2/jobs/create',
    expect: { returns: ['number', 'number'] },
    sdk: async (ws, ctx) => {
      const first = (await ws.jobs.create(jobSettings('contract_etl', largeJobTasks))).job_id;
      const second = (await ws.jobs.create(jobSettings('contract_other'))).job_id;
      [ctx.jobId, ctx.otherJobId] = [first ?? -1, second ?? -1];
      return [typeof first, typeof second];
    },
    bricklane: async (client, ctx) => {
      ctx.jobId = await client.createJob(jobSettings('contract_etl', largeJobTasks));
      ctx.otherJobId = await client.createJob(jobSettings('contract_other'));
      return [typeof ctx.jobId, typeof ctx.otherJobId];
    },
  },
  {
    // The JS SDK's jobs.get answers one page: its caller follows next_page_token with page_token. bricklane's
    // getJob joins the pages.
    name: 'jobs/get of a 150-task job reads every page with next_page_token',
    endpoint: '2.2/jobs/get',
    expect: { returns: { tasks: largeJobTasks, last: `t${largeJobTasks - 1}` } },
    sdk: async (ws, ctx) => {
      let page = await ws.jobs.get({ job_id: ctx.jobId });
      const keys = (page.settings?.tasks ?? []).map((task) => task.task_key);
      while (page.next_page_token) {
        page = await ws.jobs.get({ job_id: ctx.jobId, page_token: page.next_page_token });
        keys.push(...(page.settings?.tasks ?? []).map((task) => task.task_key));
      }
      return { tasks: keys.length, last: keys.at(-1) ?? null };
    },
    bricklane: async (client, ctx) => {
      const keys = ((await client.getJob(ctx.jobId)).settings.tasks ?? []).map((task) => task.task_key);
      return { tasks: keys.length, last: keys.at(-1) ?? null };
    },
  },
  {
    name: 'jobs/list pages with next_page_token and has_more (limit 1)',
    endpoint: '2.2/jobs/list',
    expect: { returns: ['contract_etl', 'contract_other'] },
    sdk: async (ws) => names(await collect(ws.jobs.list({ limit: 1 }))),
    bricklane: async (client) => names(await collect(client.listJobs({ pageSize: 1 }))),
  },
  {
    name: 'jobs/list filters by name',
    endpoint: '2.2/jobs/list',
    expect: { returns: ['contract_etl'] },
    sdk: async (ws) => names(await collect(ws.jobs.list({ name: 'contract_etl' }))),
    bricklane: async (client) => names(await collect(client.listJobs({ name: 'contract_etl' }))),
  },
  {
    name: 'jobs/reset replaces the settings',
    endpoint: '2.2/jobs/reset',
    expect: { returns: 'ok' },
    sdk: (ws, ctx) =>
      ws.jobs.reset({ job_id: ctx.jobId, new_settings: jobSettings('contract_renamed') }).then(done),
    bricklane: (client, ctx) => client.resetJob(ctx.jobId, jobSettings('contract_renamed')).then(done),
  },
  {
    name: 'jobs/delete deletes a job',
    endpoint: '2.2/jobs/delete',
    expect: { returns: 'ok' },
    sdk: (ws, ctx) => ws.jobs.delete({ job_id: ctx.otherJobId }).then(done),
    bricklane: (client, ctx) => client.deleteJob(ctx.otherJobId).then(done),
  },
  {
    name: 'jobs/list after reset and delete lists the renamed job only',
    endpoint: '2.2/jobs/list',
    expect: { returns: ['contract_renamed'] },
    sdk: async (ws) => names(await collect(ws.jobs.list({}))),
    bricklane: async (client) => names(await collect(client.listJobs())),
  },
  {
    // The emulator answers an unknown job_id with 400 INVALID_PARAMETER_VALUE "Job <id> does not exist."
    // (JobStore.ts), not RESOURCE_DOES_NOT_EXIST; both clients must surface that code unchanged.
    name: 'jobs/delete of a deleted job is INVALID_PARAMETER_VALUE',
    endpoint: '2.2/jobs/delete',
    expect: { errorCode: 'INVALID_PARAMETER_VALUE' },
    sdk: (ws, ctx) => ws.jobs.delete({ job_id: ctx.otherJobId }).then(done),
    bricklane: (client, ctx) => client.deleteJob(ctx.otherJobId).then(done),
  },

  // Serverless jobs (issue 15): `environments` and a task's `environment_key` travel as the reference shapes them.
  {
    name: 'jobs/create creates a serverless job: environments and a task with environment_key, no cluster',
    endpoint: '2.2/jobs/create',
    expect: { returns: 'number' },
    sdk: async (ws, ctx) => {
      ctx.serverlessJobId = (await ws.jobs.create(serverlessJob())).job_id;
      return typeof ctx.serverlessJobId;
    },
    bricklane: async (client, ctx) => {
      ctx.serverlessJobId = await client.createJob(serverlessJob());
      return typeof ctx.serverlessJobId;
    },
  },
  {
    name: "jobs/get reads a serverless job's environments and environment_key back",
    endpoint: '2.2/jobs/get',
    expect: {
      returns: { environments: ['default:2:requests==2.32.3'], taskEnvironment: 'default', cluster: null },
    },
    sdk: async (ws, ctx) =>
      serverlessShape((await ws.jobs.get({ job_id: ctx.serverlessJobId ?? -1 })).settings),
    bricklane: async (client, ctx) =>
      serverlessShape((await client.getJob(ctx.serverlessJobId ?? -1)).settings),
  },
  {
    name: 'jobs/create of a task naming an unknown environment_key is INVALID_PARAMETER_VALUE',
    endpoint: '2.2/jobs/create',
    expect: { errorCode: 'INVALID_PARAMETER_VALUE' },
    sdk: (ws) => ws.jobs.create(serverlessJob('gpu')).then(done),
    bricklane: (client) => client.createJob(serverlessJob('gpu')).then(done),
  },
  {
    name: 'jobs/create creates a job with 150 environments',
    endpoint: '2.2/jobs/create',
    expect: { returns: 'number' },
    sdk: async (ws, ctx) => {
      ctx.environmentsJobId = (await ws.jobs.create(manyEnvironmentsJob())).job_id;
      return typeof ctx.environmentsJobId;
    },
    bricklane: async (client, ctx) => {
      ctx.environmentsJobId = await client.createJob(manyEnvironmentsJob());
      return typeof ctx.environmentsJobId;
    },
  },
  {
    // jobs/get 2.2 pages `environments` by 100 like tasks: the SDK's caller follows next_page_token, bricklane's
    // getJob joins the pages, so a plan compares all 150.
    name: 'jobs/get of a job with 150 environments reads every page of environments',
    endpoint: '2.2/jobs/get',
    expect: { returns: { environments: largeJobTasks, last: `e${largeJobTasks - 1}` } },
    sdk: async (ws, ctx) => {
      let page = await ws.jobs.get({ job_id: ctx.environmentsJobId ?? -1 });
      const keys = (page.settings?.environments ?? []).map((e) => e.environment_key);
      while (page.next_page_token) {
        page = await ws.jobs.get({ job_id: ctx.environmentsJobId ?? -1, page_token: page.next_page_token });
        keys.push(...(page.settings?.environments ?? []).map((e) => e.environment_key));
      }
      return { environments: keys.length, last: keys.at(-1) ?? null };
    },
    bricklane: async (client, ctx) => {
      const environments = (await client.getJob(ctx.environmentsJobId ?? -1)).settings['environments'];
      const keys = (Array.isArray(environments) ? environments : []).map(
        (e) => (e as { environment_key?: string }).environment_key,
      );
      return { environments: keys.length, last: keys.at(-1) ?? null };
    },
  },
  // Files API 2.0 (filesApi.ts): init scripts in a Unity Catalog volume (issue 15). The volume is a Unity Catalog
  // object that exists before any Files API call, so the first row creates it in the emulated workspace.
  {
    name: 'fs/files PUT uploads a file into a Unity Catalog volume',
    endpoint: '2.0/fs/files',
    expect: { returns: 'ok' },
    arrange: (workspace) => workspace.addVolume(volume),
    sdk: (ws) => ws.files.upload({ file_path: volumeFile, overwrite: true }).then(done),
    bricklane: (client) => client.uploadFile(volumeFile, python, { overwrite: true }).then(done),
  },
  {
    name: 'fs/files HEAD of the uploaded file reads its size',
    endpoint: '2.0/fs/files',
    // The SDK's upload sends no body (see sdkContract.test.ts), so its file is empty.
    expect: { returns: 0 },
    bricklaneExpect: { returns: python.length },
    sdk: async (ws) =>
      Number((await ws.files.getMetadata({ file_path: volumeFile }))['content-length'] ?? -1),
    bricklane: async (client) => (await client.getFileMetadata(volumeFile))?.contentLength ?? -1,
  },
  {
    name: 'fs/directories PUT creates a directory and its parents',
    endpoint: '2.0/fs/directories',
    expect: { returns: 'ok' },
    sdk: (ws) => ws.files.createDirectory({ directory_path: `${volume}/init/nested` }).then(done),
    bricklane: (client) => client.createVolumeDirectory(`${volume}/init/nested`).then(done),
  },
  {
    name: 'fs/directories GET lists a directory',
    endpoint: '2.0/fs/directories',
    expect: { returns: [`${volume}/init/nested`, volumeFile] },
    sdk: async (ws) =>
      (await collect(ws.files.listDirectoryContents({ directory_path: `${volume}/init` })))
        .map((e) => e.path ?? '?')
        .sort(),
    bricklane: async (client) =>
      (await collect(client.listVolumeDirectory(`${volume}/init`))).map((e) => e.path).sort(),
  },
  {
    name: 'fs/files DELETE deletes the file',
    endpoint: '2.0/fs/files',
    expect: { returns: 'ok' },
    sdk: (ws) => ws.files.delete({ file_path: volumeFile }).then(done),
    bricklane: (client) => client.deleteFile(volumeFile).then(done),
  },
  {
    // HEAD answers carry no body, so there is no error_code: the SDK names the error by the status text
    // ("Not Found"); bricklane reads the bare 404 on this path as no file.
    name: 'fs/files HEAD of a deleted file is 404',
    endpoint: '2.0/fs/files',
    expect: { errorCode: 'Not Found' },
    bricklaneExpect: { returns: 'absent' },
    sdk: (ws) => ws.files.getMetadata({ file_path: volumeFile }).then(done),
    bricklane: async (client) => presence(await client.getFileMetadata(volumeFile)),
  },
  // Cluster policies (policiesApi.ts) and the policy a cluster is checked against (rules in RULES.md).
  {
    name: 'policies/clusters/create creates a policy (definition as a string)',
    endpoint: '2.0/policies/clusters/create',
    expect: { returns: 'ok' },
    sdk: async (ws, ctx) => {
      ctx.policyId = (await ws.clusterPolicies.create({ ...contractPolicy })).policy_id;
      return typeof ctx.policyId === 'string' ? 'ok' : 'no id';
    },
    bricklane: async (client, ctx) => {
      ctx.policyId = await client.createPolicy({ ...contractPolicy });
      return 'ok';
    },
  },
  {
    name: 'policies/clusters/create of a name in use is INVALID_PARAMETER_VALUE',
    endpoint: '2.0/policies/clusters/create',
    expect: { errorCode: 'INVALID_PARAMETER_VALUE' },
    sdk: (ws) => ws.clusterPolicies.create({ ...contractPolicy }).then(done),
    bricklane: (client) => client.createPolicy({ ...contractPolicy }).then(done),
  },
  {
    name: 'policies/clusters/edit replaces the fields',
    endpoint: '2.0/policies/clusters/edit',
    expect: { returns: 'ok' },
    sdk: (ws, ctx) =>
      ws.clusterPolicies
        .edit({ ...contractPolicy, policy_id: ctx.policyId ?? '', max_clusters_per_user: 3 })
        .then(done),
    bricklane: (client, ctx) =>
      client.editPolicy(ctx.policyId ?? '', { ...contractPolicy, max_clusters_per_user: 3 }).then(done),
  },
  {
    name: 'policies/clusters/get reads the edit back',
    endpoint: '2.0/policies/clusters/get',
    expect: { returns: { name: 'contract-policy', max: 3, definition: contractDefinition } },
    sdk: async (ws, ctx) => policyView(await ws.clusterPolicies.get({ policy_id: ctx.policyId ?? '' })),
    bricklane: async (client, ctx) => policyView((await client.getPolicy(ctx.policyId ?? '')) ?? {}),
  },
  {
    name: 'policies/clusters/list lists every policy in one answer',
    endpoint: '2.0/policies/clusters/list',
    expect: { returns: ['contract-policy'] },
    sdk: async (ws) => (await collect(ws.clusterPolicies.list({}))).map((p) => p.name ?? ''),
    bricklane: async (client) => (await client.listPolicies()).map((p) => p.name),
  },
  {
    // "Validation failed for <attribute>, <reason>" (databricks/terraform-provider-databricks#403).
    name: 'clusters/create of a spec its policy forbids is INVALID_PARAMETER_VALUE',
    endpoint: '2.1/clusters/create',
    expect: { errorCode: 'INVALID_PARAMETER_VALUE' },
    sdk: (ws, ctx) =>
      ws.clusters
        .create({ ...cluster, cluster_name: 'too-big', num_workers: 9, policy_id: ctx.policyId ?? '' })
        .then(done),
    bricklane: (client, ctx) =>
      client
        .createCluster({ ...cluster, cluster_name: 'too-big', num_workers: 9, policy_id: ctx.policyId ?? '' })
        .then(done),
  },
  // Permissions (permissionsApi.ts): PATCH adds, PUT replaces, GET reads; levels per object type.
  {
    // The SDK sends no body with a PATCH (dist/api-client.js adds the payload "for POST/PUT methods" only), so
    // its permissions.update reaches the service without access_control_list; bricklane's PATCH carries it.
    name: 'permissions PATCH on a job adds entries and keeps the owner (the SDK sends no body)',
    endpoint: '2.0/permissions/jobs',
    expect: { errorCode: 'INVALID_PARAMETER_VALUE' },
    bricklaneExpect: {
      returns: [
        'group_name:data-engineers=CAN_MANAGE_RUN',
        'user_name:bricklane-emulator@example.com=IS_OWNER',
      ],
    },
    sdk: async (ws, ctx) =>
      aclView(
        await ws.permissions.update({
          request_object_type: 'jobs',
          request_object_id: String(ctx.jobId),
          access_control_list: [{ group_name: 'data-engineers', permission_level: 'CAN_MANAGE_RUN' }],
        }),
      ),
    bricklane: async (client, ctx) =>
      aclView(
        await client.updatePermissions('jobs', String(ctx.jobId), [
          { group_name: 'data-engineers', permission_level: 'CAN_MANAGE_RUN' },
        ]),
      ),
  },
  {
    name: 'permissions PUT on a policy replaces its direct entries',
    endpoint: '2.0/permissions/cluster-policies',
    expect: { returns: ['group_name:data-analysts=CAN_USE'] },
    sdk: async (ws, ctx) =>
      aclView(
        await ws.permissions.set({
          request_object_type: 'cluster-policies',
          request_object_id: ctx.policyId ?? '',
          access_control_list: [{ group_name: 'data-analysts', permission_level: 'CAN_USE' }],
        }),
      ),
    bricklane: async (client, ctx) =>
      aclView(
        await client.setPermissions('cluster-policies', ctx.policyId ?? '', [
          { group_name: 'data-analysts', permission_level: 'CAN_USE' },
        ]),
      ),
  },
  {
    name: 'permissions GET reads the policy list back, inherited admins included',
    endpoint: '2.0/permissions/cluster-policies',
    expect: { returns: ['group_name:admins=CAN_MANAGE (inherited)', 'group_name:data-analysts=CAN_USE'] },
    sdk: async (ws, ctx) =>
      aclView(
        await ws.permissions.get({
          request_object_type: 'cluster-policies',
          request_object_id: ctx.policyId ?? '',
        }),
        true,
      ),
    bricklane: async (client, ctx) =>
      aclView(await client.getPermissions('cluster-policies', ctx.policyId ?? ''), true),
  },
  {
    name: 'permissions PUT with a level the object type does not have is INVALID_PARAMETER_VALUE',
    endpoint: '2.0/permissions/clusters',
    expect: { errorCode: 'INVALID_PARAMETER_VALUE' },
    sdk: (ws, ctx) =>
      ws.permissions
        .set({
          request_object_type: 'clusters',
          request_object_id: ctx.clusterId,
          access_control_list: [{ group_name: 'data-engineers', permission_level: 'CAN_VIEW' }],
        })
        .then(done),
    bricklane: (client, ctx) =>
      client
        .setPermissions('clusters', ctx.clusterId, [
          { group_name: 'data-engineers', permission_level: 'CAN_VIEW' },
        ])
        .then(done),
  },
  {
    name: 'permissions PUT naming a principal the workspace does not know is INVALID_PARAMETER_VALUE',
    endpoint: '2.0/permissions/jobs',
    expect: { errorCode: 'INVALID_PARAMETER_VALUE' },
    sdk: (ws, ctx) =>
      ws.permissions
        .set({
          request_object_type: 'jobs',
          request_object_id: String(ctx.jobId),
          access_control_list: [{ user_name: 'nobody@example.com', permission_level: 'CAN_VIEW' }],
        })
        .then(done),
    bricklane: (client, ctx) =>
      client
        .setPermissions('jobs', String(ctx.jobId), [
          { user_name: 'nobody@example.com', permission_level: 'CAN_VIEW' },
        ])
        .then(done),
  },
  {
    name: 'policies/clusters/delete deletes the policy',
    endpoint: '2.0/policies/clusters/delete',
    expect: { returns: 'ok' },
    sdk: (ws, ctx) => ws.clusterPolicies.delete({ policy_id: ctx.policyId ?? '' }).then(done),
    bricklane: (client, ctx) => client.deletePolicy(ctx.policyId ?? '').then(done),
  },
  {
    name: 'policies/clusters/get of a deleted policy is RESOURCE_DOES_NOT_EXIST',
    endpoint: '2.0/policies/clusters/get',
    expect: { errorCode: 'RESOURCE_DOES_NOT_EXIST' },
    bricklaneExpect: { returns: 'absent' },
    sdk: (ws, ctx) => ws.clusterPolicies.get({ policy_id: ctx.policyId ?? '' }).then(done),
    bricklane: async (client, ctx) => ((await client.getPolicy(ctx.policyId ?? '')) ? 'present' : 'absent'),
  },
  // Secrets API 2.0 (secretsApi.ts): a Databricks-backed scope, a key, an ACL entry; lists carry no values.
  {
    name: 'secrets/scopes/create makes a Databricks-backed scope',
    endpoint: '2.0/secrets/scopes/create',
    expect: { returns: 'ok' },
    sdk: (ws) => ws.secrets.createScope({ scope: 'contract', scope_backend_type: 'DATABRICKS' }).then(done),
    bricklane: (client) => client.createSecretScope('contract').then(done),
  },
  {
    name: 'secrets/scopes/create of a scope that exists is RESOURCE_ALREADY_EXISTS',
    endpoint: '2.0/secrets/scopes/create',
    expect: { errorCode: 'RESOURCE_ALREADY_EXISTS' },
    sdk: (ws) => ws.secrets.createScope({ scope: 'contract', scope_backend_type: 'DATABRICKS' }).then(done),
    bricklane: (client) => client.createSecretScope('contract').then(done),
  },
  {
    name: 'secrets/scopes/list lists the scope and its backend',
    endpoint: '2.0/secrets/scopes/list',
    expect: { returns: ['contract:DATABRICKS'] },
    sdk: async (ws) => (await collect(ws.secrets.listScopes())).map((s) => `${s.name}:${s.backend_type}`),
    bricklane: async (client) => (await client.listSecretScopes()).map((s) => `${s.name}:${s.backend_type}`),
  },
  {
    name: 'secrets/put writes a string secret',
    endpoint: '2.0/secrets/put',
    expect: { returns: 'ok' },
    sdk: (ws) =>
      ws.secrets
        .putSecret({ scope: 'contract', key: 'db-password', string_value: 'contract-value' })
        .then(done),
    bricklane: (client) => client.putSecret('contract', 'db-password', 'contract-value').then(done),
  },
  {
    name: 'secrets/put into a scope that does not exist is RESOURCE_DOES_NOT_EXIST',
    endpoint: '2.0/secrets/put',
    expect: { errorCode: 'RESOURCE_DOES_NOT_EXIST' },
    sdk: (ws) => ws.secrets.putSecret({ scope: 'no-such-scope', key: 'k', string_value: 'v' }).then(done),
    bricklane: (client) => client.putSecret('no-such-scope', 'k', 'v').then(done),
  },
  {
    name: 'secrets/put of a value over 128 KB is INVALID_PARAMETER_VALUE',
    endpoint: '2.0/secrets/put',
    expect: { errorCode: 'INVALID_PARAMETER_VALUE' },
    sdk: (ws) =>
      ws.secrets
        .putSecret({ scope: 'contract', key: 'big', string_value: 'x'.repeat(128 * 1024 + 1) })
        .then(done),
    bricklane: (client) => client.putSecret('contract', 'big', 'x'.repeat(128 * 1024 + 1)).then(done),
  },
  {
    name: 'secrets/list answers keys and timestamps, never values',
    endpoint: '2.0/secrets/list',
    expect: { returns: ['db-password:timestamp'] },
    sdk: async (ws) => secretKeys(await collect(ws.secrets.listSecrets({ scope: 'contract' }))),
    bricklane: async (client) => secretKeys(await client.listSecrets('contract')),
  },
  {
    name: 'secrets/acls/put grants a principal READ',
    endpoint: '2.0/secrets/acls/put',
    expect: { returns: 'ok' },
    sdk: (ws) =>
      ws.secrets.putAcl({ scope: 'contract', principal: 'data-engineers', permission: 'READ' }).then(done),
    bricklane: (client) => client.putSecretAcl('contract', 'data-engineers', 'READ').then(done),
  },
  {
    name: 'secrets/acls/put with a permission other than READ, WRITE or MANAGE is INVALID_PARAMETER_VALUE',
    endpoint: '2.0/secrets/acls/put',
    expect: { errorCode: 'INVALID_PARAMETER_VALUE' },
    sdk: (ws) =>
      ws.secrets
        .putAcl({ scope: 'contract', principal: 'data-engineers', permission: 'CAN_READ' as 'READ' })
        .then(done),
    bricklane: (client) => client.putSecretAcl('contract', 'data-engineers', 'CAN_READ').then(done),
  },
  {
    name: 'secrets/acls/list reads the entries back, the creator holding MANAGE',
    endpoint: '2.0/secrets/acls/list',
    expect: { returns: ['bricklane-emulator@example.com=MANAGE', 'data-engineers=READ'] },
    sdk: async (ws) => aclEntries(await collect(ws.secrets.listAcls({ scope: 'contract' }))),
    bricklane: async (client) => aclEntries(await client.listSecretAcls('contract')),
  },
  {
    name: 'secrets/acls/delete removes the entry',
    endpoint: '2.0/secrets/acls/delete',
    expect: { returns: 'ok' },
    sdk: (ws) => ws.secrets.deleteAcl({ scope: 'contract', principal: 'data-engineers' }).then(done),
    bricklane: (client) => client.deleteSecretAcl('contract', 'data-engineers').then(done),
  },
  {
    name: 'secrets/delete deletes the key',
    endpoint: '2.0/secrets/delete',
    expect: { returns: 'ok' },
    sdk: (ws) => ws.secrets.deleteSecret({ scope: 'contract', key: 'db-password' }).then(done),
    bricklane: (client) => client.deleteSecret('contract', 'db-password').then(done),
  },
  {
    name: 'secrets/scopes/delete deletes the scope',
    endpoint: '2.0/secrets/scopes/delete',
    expect: { returns: 'ok' },
    sdk: (ws) => ws.secrets.deleteScope({ scope: 'contract' }).then(done),
    bricklane: (client) => client.deleteSecretScope('contract').then(done),
  },

  // Job runs (issue 16, checks): run-now with an idempotency token, runs/get, get-output of a task run, cancel.
  {
    name: 'jobs/run-now starts a run, and the same idempotency token answers the same run',
    endpoint: '2.2/jobs/run-now',
    expect: { returns: true },
    // The run ends at once, failed: the rows after it read a failed run without waiting.
    arrange: (workspace) =>
      workspace.runs.script('contract_serverless', [
        { result: 'FAILED', message: 'AssertionError: 0 rows', pendingInMs: 0, durationInMs: 0 },
      ]),
    sdk: async (ws, ctx) => {
      const request = { job_id: ctx.serverlessJobId ?? -1, idempotency_token: 'contract-check' };
      ctx.runId = (await ws.jobs.runNow(request)).run_id;
      return (await ws.jobs.runNow(request)).run_id === ctx.runId;
    },
    bricklane: async (client, ctx) => {
      ctx.runId = await client.runNow(ctx.serverlessJobId ?? -1, 'contract-check');
      return (await client.runNow(ctx.serverlessJobId ?? -1, 'contract-check')) === ctx.runId;
    },
  },
  {
    name: 'jobs/run-now with an idempotency token over 64 characters is INVALID_PARAMETER_VALUE',
    endpoint: '2.2/jobs/run-now',
    expect: { errorCode: 'INVALID_PARAMETER_VALUE' },
    sdk: (ws, ctx) =>
      ws.jobs.runNow({ job_id: ctx.serverlessJobId ?? -1, idempotency_token: 'x'.repeat(65) }).then(done),
    bricklane: (client, ctx) => client.runNow(ctx.serverlessJobId ?? -1, 'x'.repeat(65)).then(done),
  },
  {
    name: 'jobs/runs/get reads the ended run: its state, message, run page and task run',
    endpoint: '2.2/jobs/runs/get',
    expect: {
      returns: {
        lifeCycle: 'TERMINATED',
        result: 'FAILED',
        message: 'AssertionError: 0 rows',
        https: true,
        tasks: 1,
      },
    },
    sdk: async (ws, ctx) => runShape(await ws.jobs.getRun({ run_id: ctx.runId ?? -1 }), ctx),
    bricklane: async (client, ctx) => runShape(await client.getRun(ctx.runId ?? -1), ctx),
  },
  {
    name: 'jobs/runs/get-output of a job run with tasks is INVALID_PARAMETER_VALUE',
    endpoint: '2.2/jobs/runs/get-output',
    expect: { errorCode: 'INVALID_PARAMETER_VALUE' },
    sdk: (ws, ctx) => ws.jobs.getRunOutput({ run_id: ctx.runId ?? -1 }).then(done),
    bricklane: (client, ctx) => client.getRunOutput(ctx.runId ?? -1).then(done),
  },
  {
    name: "jobs/runs/get-output of the failed task run answers the task's error",
    endpoint: '2.2/jobs/runs/get-output',
    expect: { returns: 'AssertionError: 0 rows' },
    sdk: async (ws, ctx) => (await ws.jobs.getRunOutput({ run_id: ctx.taskRunId ?? -1 })).error ?? null,
    bricklane: async (client, ctx) => (await client.getRunOutput(ctx.taskRunId ?? -1)).error ?? null,
  },
  {
    name: 'jobs/runs/cancel of an ended run changes nothing',
    endpoint: '2.2/jobs/runs/cancel',
    expect: { returns: 'ok' },
    sdk: (ws, ctx) => ws.jobs.cancelRun({ run_id: ctx.runId ?? -1 }).then(done),
    bricklane: (client, ctx) => client.cancelRun(ctx.runId ?? -1).then(done),
  },
];

/** What a caller reads of runs/get; keeps the task run's id for get-output. */
function runShape(
  run: {
    state?: { life_cycle_state?: string; result_state?: string; state_message?: string };
    run_page_url?: string;
    tasks?: Array<{ run_id?: number }>;
  },
  ctx: ContractContext,
): JsonValue {
  ctx.taskRunId = run.tasks?.[0]?.run_id;
  return {
    lifeCycle: run.state?.life_cycle_state ?? null,
    result: run.state?.result_state ?? null,
    message: run.state?.state_message ?? null,
    https: (run.run_page_url ?? '').startsWith('https://'),
    tasks: run.tasks?.length ?? 0,
  };
}

/** What a caller reads of a serverless job: its environments (key:version:dependencies) and its task's compute. */
function serverlessShape(settings: unknown): JsonValue {
  const s = (settings ?? {}) as {
    environments?: Array<{
      environment_key?: string;
      spec?: { environment_version?: string; dependencies?: string[] };
    }>;
    tasks?: Array<{ environment_key?: string; existing_cluster_id?: string; job_cluster_key?: string }>;
  };
  const task = s.tasks?.[0];
  return {
    environments: (s.environments ?? []).map(
      (e) => `${e.environment_key}:${e.spec?.environment_version}:${(e.spec?.dependencies ?? []).join(',')}`,
    ),
    taskEnvironment: task?.environment_key ?? null,
    cluster: task?.existing_cluster_id ?? task?.job_cluster_key ?? null,
  };
}

/** What a caller reads of secrets/list: each key, and whether it carries a timestamp or (never) a value. */
function secretKeys(
  items: Array<{ key?: string; last_updated_timestamp?: number; value?: unknown }>,
): JsonValue {
  return items.map(
    (s) =>
      `${s.key}:${'value' in s ? 'value' : typeof s.last_updated_timestamp === 'number' ? 'timestamp' : '-'}`,
  );
}

/** A scope's ACL as `principal=permission`, sorted. */
function aclEntries(items: Array<{ principal?: string; permission?: string }>): JsonValue {
  return items.map((a) => `${a.principal}=${a.permission}`).sort();
}
