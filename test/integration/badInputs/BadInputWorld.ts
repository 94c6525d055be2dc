// Test infrastructure: the one world every row of the bad-input table runs in: Azurite (ledger, releases
// with staged bundles and plans, approval decisions), an emulated Databricks workspace over HTTPS, and a
// recording stand-in of the Durable extension,
// with the app settings of an operator who configured every source. A row is judged by what it answers
// and by what it left behind: `traces()` is every orchestration started, every event raised and every
// blob in the storage account and every Databricks write, so a row that starts, decides, stages or deploys
// anything shows up as a difference.
import {
  HttpRequest,
  InvocationContext,
  type FunctionInput,
  type HttpFunctionOptions,
  type HttpResponseInit,
} from '@azure/functions';
import { BlobServiceClient } from '@azure/storage-blob';
import { DatabricksWorkspaceClient } from '../../../src/databricks/DatabricksWorkspaceClient';
import { StaticTokenCredential } from '../../../src/databricks/StaticTokenCredential';
import { Azurite } from '../../emulator/Azurite';
import { DatabricksEmulator } from '../../emulator/DatabricksEmulator';
import { FakeDurableApi } from '../../emulator/FakeDurableApi';

export const PUBLIC_URL = 'https://bricklane.example.net';
export const GITHUB_SECRET = 'bad-inputs-github-secret-7c1d';
export const GITHUB_REPOSITORY = 'Codertocat/Hello-World';
export const HOOK_USER = 'bricklane-hook';
export const HOOK_PASSWORD = 'hook-password-bad-inputs-41';
export const ORGANIZATION_URL = 'https://dev.azure.com/fabrikam-fiber-inc';
export const SIGNING_KEY = 'bad-inputs-signing-key-0123456789abcdef0123';
export const SUBSCRIPTION = '00000000-0000-0000-0000-000000000001';
const DATABRICKS_TOKEN = 'dapi-bad-inputs';

/**
 * The operator's settings: three environments, QA with an approver allow-list, both webhooks configured,
 * and allow-lists for run_as, permissions and git sources (the workspace roots keep their default,
 * /Shared/MyProject).
 */
export function operatorSettings(ledgerConnection: string): Record<string, string> {
  return {
    BRICKLANE_ENVIRONMENTS: 'dev,qa,prod',
    BRICKLANE_DEV_SUBSCRIPTION_ID: SUBSCRIPTION,
    BRICKLANE_QA_SUBSCRIPTION_ID: SUBSCRIPTION,
    BRICKLANE_PROD_SUBSCRIPTION_ID: SUBSCRIPTION,
    BRICKLANE_QA_APPROVERS: 'alice@contoso.com',
    BRICKLANE_LEDGER_CONNECTION: ledgerConnection,
    BRICKLANE_APPROVAL_SIGNING_KEYS: SIGNING_KEY,
    BRICKLANE_PUBLIC_URL: PUBLIC_URL,
    BRICKLANE_GITHUB_WEBHOOK_SECRET: GITHUB_SECRET,
    BRICKLANE_GITHUB_REPOSITORY: GITHUB_REPOSITORY,
    BRICKLANE_AZURE_DEVOPS_HOOK_USERNAME: HOOK_USER,
    BRICKLANE_AZURE_DEVOPS_HOOK_PASSWORD: HOOK_PASSWORD,
    BRICKLANE_AZURE_DEVOPS_ORGANIZATION_URL: ORGANIZATION_URL,
    WEBSITE_AUTH_ENABLED: 'True',
    // Boundaries beyond the defaults, so that a row can cross an allow-list rather than an empty one.
    BRICKLANE_RUN_AS: 'etl-runner@contoso.com',
    BRICKLANE_PERMISSIONS: 'group:data-engineers=CAN_MANAGE_RUN',
    BRICKLANE_GIT_SOURCES: 'https://github.com/contoso/etl',
  };
}

/** What a row may leave behind: nothing of this may differ before and after a refused input. */
export interface Traces {
  starts: string[];
  events: string[];
  blobs: string[];
  /** Requests that changed the emulated Databricks workspaces. */
  databricksWrites: number;
}

export class BadInputWorld {
  readonly logs: string[] = [];

  private constructor(
    readonly azurite: Azurite,
    readonly durable: FakeDurableApi,
    readonly databricks: DatabricksEmulator,
  ) {}

  static async start(): Promise<BadInputWorld> {
    const [azurite, durable, databricks] = await Promise.all([
      Azurite.start(),
      FakeDurableApi.start(),
      DatabricksEmulator.start({ rateLimits: false }),
    ]);
    await databricks.addWorkspace('dev', { tokens: [DATABRICKS_TOKEN] });
    const world = new BadInputWorld(azurite, durable, databricks);
    Object.assign(process.env, operatorSettings(azurite.connectionString));
    return world;
  }

  async stop(): Promise<void> {
    await Promise.all([this.azurite.stop(), this.durable.stop(), this.databricks.stop()]);
  }

  /** A client of an emulated workspace, as the activities build one (token authentication). */
  databricksClient(workspace: string): DatabricksWorkspaceClient {
    return new DatabricksWorkspaceClient(
      this.databricks.workspaceUrl(workspace),
      new StaticTokenCredential(DATABRICKS_TOKEN),
    );
  }

  get blobService(): BlobServiceClient {
    return BlobServiceClient.fromConnectionString(this.azurite.connectionString);
  }

  async traces(): Promise<Traces> {
    const blobs: string[] = [];
    for await (const container of this.blobService.listContainers()) {
      for await (const blob of this.blobService.getContainerClient(container.name).listBlobsFlat()) {
        blobs.push(`${container.name}/${blob.name}`);
      }
    }
    return {
      starts: this.durable.starts.map((s) => `${s.orchestrator}/${s.instanceId}`),
      events: this.durable.raised.map((e) => `${e.instanceId}/${e.name}`),
      blobs: blobs.sort(),
      databricksWrites: this.databricks.counters().writes,
    };
  }

  /** An invocation context as the host builds it, its durable client bound to the stand-in. */
  context(functionName: string, extraInputs: FunctionInput[] = []): InvocationContext {
    const context = new InvocationContext({
      functionName,
      options: { extraInputs },
      logHandler: (_level, ...args) => this.logs.push(args.map(String).join(' ')),
    });
    const binding = extraInputs[0];
    if (binding !== undefined) context.extraInputs.set(binding, this.durable.clientData);
    return context;
  }

  /** Calls an HTTP function with a request built as the host builds it. */
  async call(
    fn: HttpFunctionOptions,
    init: { method: string; url: string; headers?: Record<string, string>; body?: Buffer | string },
    params: Record<string, string> = {},
  ): Promise<HttpResponseInit> {
    const body =
      init.body === undefined
        ? undefined
        : typeof init.body === 'string'
          ? { string: init.body }
          : { bytes: init.body };
    const request = new HttpRequest({
      method: init.method,
      url: init.url,
      headers: init.headers ?? {},
      params,
      ...(body ? { body } : {}),
    });
    return (await fn.handler(request, this.context('badInput', fn.extraInputs))) as HttpResponseInit;
  }
}
