// Test infrastructure: the Azure resources the emulator holds: resource groups, Databricks workspaces (each
// backed by a workspace of the Databricks emulator) and Key Vaults (each with its own data-plane server).
// ARM ids are case-insensitive, so records are keyed by lower-cased id and keep the casing they were created
// with, as ARM answers do.
import { randomInt } from 'node:crypto';
import type { DatabricksEmulator } from './DatabricksEmulator';
import type { JsonObject } from './JsonValue';
import { KeyVaultServer } from './KeyVaultServer';
import type { SavedSecret, VaultAuth } from './KeyVaultServer';

export interface ResourceGroupRecord {
  subscriptionId: string;
  name: string;
  location: string;
  tags: Record<string, string>;
  /** Set on a Databricks managed resource group: the workspace that owns it. */
  managedBy?: string;
}

export interface WorkspaceRecord {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  skuName: string;
  tags: Record<string, string>;
  /** 'Hybrid' (classic, with a managed resource group) or 'Serverless' (none); api-version 2026-01-01 requires it. */
  computeMode: 'Hybrid' | 'Serverless';
  /** Absent for Serverless workspaces. */
  managedResourceGroupId?: string;
  /** The numeric id Azure Databricks shows in `adb-<workspaceId>` URLs. */
  workspaceId: string;
  /** The workspace's name in the Databricks emulator. */
  databricksName: string;
  provisioningState: 'Accepted' | 'Succeeded';
}

export interface VaultRecord {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  tags: Record<string, string>;
  /** The properties as last PUT (vaultUri and provisioningState are added when answering). */
  properties: JsonObject;
}

export interface SavedVault extends VaultRecord {
  port: number;
  secrets: SavedSecret[];
}

export interface SavedResources {
  resourceGroups: ResourceGroupRecord[];
  workspaces: WorkspaceRecord[];
  vaults: SavedVault[];
}

export class ArmResources {
  private readonly resourceGroups = new Map<string, ResourceGroupRecord>();
  private readonly workspaces = new Map<string, WorkspaceRecord>();
  private readonly vaultRecords = new Map<string, VaultRecord>();
  /** By lower-cased vault name: vault names are unique in all of Azure, not per resource group. */
  private readonly vaultServers = new Map<string, KeyVaultServer>();
  /** Called with each vault created from now on (through ARM or createKeyVault), before the PUT answers. */
  vaultCreated: ((vault: KeyVaultServer) => void) | undefined;

  constructor(
    private readonly databricks: DatabricksEmulator,
    private readonly vaultAuth: VaultAuth,
  ) {}

  static resourceGroupId(subscriptionId: string, resourceGroup: string): string {
    return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;
  }

  static workspaceId(record: Pick<WorkspaceRecord, 'subscriptionId' | 'resourceGroup' | 'name'>): string {
    return `${ArmResources.resourceGroupId(record.subscriptionId, record.resourceGroup)}/providers/Microsoft.Databricks/workspaces/${record.name}`;
  }

  static vaultId(record: Pick<VaultRecord, 'subscriptionId' | 'resourceGroup' | 'name'>): string {
    return `${ArmResources.resourceGroupId(record.subscriptionId, record.resourceGroup)}/providers/Microsoft.KeyVault/vaults/${record.name}`;
  }

  resourceGroup(subscriptionId: string, name: string): ResourceGroupRecord | undefined {
    return this.resourceGroups.get(key(ArmResources.resourceGroupId(subscriptionId, name)));
  }

  /** Replaces location and tags of an existing group, as a PUT does; `created` tells 201 from 200. */
  putResourceGroup(record: ResourceGroupRecord): { record: ResourceGroupRecord; created: boolean } {
    const id = key(ArmResources.resourceGroupId(record.subscriptionId, record.name));
    const existing = this.resourceGroups.get(id);
    const stored = existing ? { ...existing, tags: record.tags } : { ...record };
    this.resourceGroups.set(id, stored);
    return { record: stored, created: !existing };
  }

  workspace(subscriptionId: string, resourceGroup: string, name: string): WorkspaceRecord | undefined {
    return this.workspaces.get(key(ArmResources.workspaceId({ subscriptionId, resourceGroup, name })));
  }

  workspaceByDatabricksName(databricksName: string): WorkspaceRecord | undefined {
    return [...this.workspaces.values()].find((record) => record.databricksName === databricksName);
  }

  /**
   * Creates the workspace (and its Databricks emulator workspace and managed resource group), or updates tags
   * and sku of an existing one. A new workspace starts 'Accepted'; see completeWorkspace.
   */
  async putWorkspace(
    request: Omit<WorkspaceRecord, 'workspaceId' | 'databricksName' | 'provisioningState'>,
    initialState: WorkspaceRecord['provisioningState'],
  ): Promise<{ record: WorkspaceRecord; created: boolean }> {
    const id = key(ArmResources.workspaceId(request));
    const databricksName = request.name.toLowerCase();
    // The workspace's origin listens before ARM shows it (workspaceUrl needs the port); a concurrent PUT of
    // the same workspace finds the record afterwards.
    if (!this.workspaces.has(id)) await this.databricks.addWorkspace(databricksName);
    const existing = this.workspaces.get(id);
    if (existing) {
      existing.tags = request.tags;
      existing.skuName = request.skuName;
      return { record: existing, created: false };
    }
    const record: WorkspaceRecord = {
      ...request,
      workspaceId: String(randomInt(1_000_000_000_000, 9_000_000_000_000) * 1000 + randomInt(1000)),
      databricksName,
      provisioningState: initialState,
    };
    this.workspaces.set(id, record);
    const managed = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)$/i.exec(
      request.managedResourceGroupId ?? '',
    );
    if (managed?.[1] && managed[2] && !this.resourceGroup(managed[1], managed[2])) {
      this.putResourceGroup({
        subscriptionId: managed[1],
        name: managed[2],
        location: request.location,
        tags: { 'application-name': 'databricks' },
        managedBy: ArmResources.workspaceId(record),
      });
    }
    return { record, created: true };
  }

  completeWorkspace(record: WorkspaceRecord): void {
    record.provisioningState = 'Succeeded';
  }

  /**
   * `127.0.0.1:<port>`, the workspace's own origin: like ARM's `adb-<id>.<n>.azuredatabricks.net`, a host
   * without a scheme or path (connectWorkspace prefixes `https://`).
   */
  workspaceUrl(record: WorkspaceRecord): string {
    return this.databricks.workspaceUrl(record.databricksName).replace(/^https:\/\//, '');
  }

  vault(name: string): KeyVaultServer | undefined {
    return this.vaultServers.get(name.toLowerCase());
  }

  vaultRecord(name: string): VaultRecord | undefined {
    return this.vaultRecords.get(name.toLowerCase());
  }

  /** Starts the vault's data-plane server when the vault is new; updates properties and tags otherwise. */
  async putVault(record: VaultRecord, port?: number): Promise<{ record: VaultRecord; created: boolean }> {
    const name = record.name.toLowerCase();
    const existing = this.vaultRecords.get(name);
    const tenantId = typeof record.properties.tenantId === 'string' ? record.properties.tenantId : '';
    if (existing) {
      existing.properties = record.properties;
      existing.tags = record.tags;
      const server = this.vaultServers.get(name);
      if (server && tenantId) server.tenantId = tenantId;
      return { record: existing, created: false };
    }
    const stored = { ...record };
    const server = await KeyVaultServer.start(
      { name: record.name, id: ArmResources.vaultId(record), tenantId, ...(port ? { port } : {}) },
      this.vaultAuth,
    );
    this.vaultRecords.set(name, stored);
    this.vaultServers.set(name, server);
    this.vaultCreated?.(server);
    return { record: stored, created: true };
  }

  allResourceGroups(): ResourceGroupRecord[] {
    return [...this.resourceGroups.values()];
  }

  allWorkspaces(): WorkspaceRecord[] {
    return [...this.workspaces.values()];
  }

  allVaults(): { record: VaultRecord; server: KeyVaultServer }[] {
    return [...this.vaultRecords.entries()].flatMap(([name, record]) => {
      const server = this.vaultServers.get(name);
      return server ? [{ record, server }] : [];
    });
  }

  async stop(): Promise<void> {
    await Promise.all([...this.vaultServers.values()].map((server) => server.stop()));
  }

  /** Workspaces still 'Accepted' are saved as created: a later run has no poller waiting for them. */
  toJSON(): SavedResources {
    return {
      resourceGroups: this.allResourceGroups().map((record) => ({ ...record })),
      workspaces: this.allWorkspaces().map((record) => ({ ...record, provisioningState: 'Succeeded' })),
      vaults: this.allVaults().map(({ record, server }) => ({
        ...record,
        port: server.port,
        secrets: server.toJSON(),
      })),
    };
  }

  /** Replaces everything; vault servers restart, on their saved ports when those are free. */
  async restore(saved: SavedResources): Promise<void> {
    await this.stop();
    this.resourceGroups.clear();
    this.workspaces.clear();
    this.vaultRecords.clear();
    this.vaultServers.clear();
    for (const record of saved.resourceGroups) this.putResourceGroup(record);
    for (const record of saved.workspaces) {
      await this.databricks.addWorkspace(record.databricksName);
      this.workspaces.set(key(ArmResources.workspaceId(record)), { ...record });
    }
    for (const { port, secrets, ...record } of saved.vaults) {
      await this.putVault(record, port);
      this.vault(record.name)?.restore(secrets);
    }
  }
}

function key(id: string): string {
  return id.toLowerCase();
}
