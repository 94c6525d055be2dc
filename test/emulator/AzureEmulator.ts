// Test infrastructure: the Azure side of the emulator (azure-contract.md): ARM, the App Service
// managed-identity endpoint and an AAD v2 authority on one HTTPS server, one HTTPS server per Key Vault, a
// role table enforced by all of them, and AAD sign-in for the Databricks emulator's workspaces. The real
// @azure/* SDK clients talk to it unchanged; only endpoints and the authority host are overridden.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ArmResources } from './ArmResources';
import type { ResourceGroupRecord, SavedResources, WorkspaceRecord } from './ArmResources';
import { ArmRoutes } from './ArmRoutes';
import type { ArmCounters } from './ArmRoutes';
import { DatabricksAadValidator } from './DatabricksAadValidator';
import { ServiceFaults, answerWithFaults, connectionReset } from './FaultInjector';
import type { FaultKind } from './FaultInjector';
import type { FaultService, FaultSpec } from './FaultSpec';
import type { AutoAdmission, SavedMembership } from './DatabricksAadValidator';
import type { DatabricksEmulator } from './DatabricksEmulator';
import { HttpsEndpoint } from './HttpsEndpoint';
import type { HttpAnswer, HttpRequest } from './HttpsEndpoint';
import type { KeyVaultServer, VaultCounters } from './KeyVaultServer';
import { RoleTable } from './RoleTable';
import type { RoleAssignment } from './RoleTable';
import { TokenEndpoints } from './TokenEndpoints';
import type { Directory, ManagedIdentity, ServicePrincipal, TokenCounters } from './TokenEndpoints';
import { TokenIssuer } from './TokenIssuer';

export interface AzureEmulatorOptions {
  /** Workspaces created through ARM are added here, and its token validator is replaced. */
  databricks: DatabricksEmulator;
  tenantId?: string;
  /**
   * The Function App's system-assigned identity. @azure/identity caches managed-identity tokens for the whole
   * process, so keep the default (a fixed id) unless the test runs in a process of its own.
   */
  managedIdentity?: { principalId: string; clientId?: string };
  /** false: every RBAC check passes. Default true. */
  roleTableEnabled?: boolean;
  /** Of the ARM/identity/authority server; 0 (default) picks a free port. */
  port?: number;
  /** Load the Azure world saved here at start (if any) and save it there at stop. */
  stateDir?: string;
  /** Lifetime of every issued token. Default 3600. */
  tokenLifetimeInSeconds?: number;
  /**
   * Polls of a workspace creation that answer InProgress before Succeeded. Default 1 (the contract). The
   * SDK's poller sleeps 2 s before each poll after the first unless given `updateIntervalInMs`.
   */
  workspaceInProgressPolls?: number;
}

export interface AzureCounters {
  arm: ArmCounters;
  /** All vaults together; `vault(name).counters()` has one vault's. */
  keyVault: VaultCounters;
  tokens: TokenCounters;
}

export interface AzureSnapshot {
  resourceGroups: (ResourceGroupRecord & { id: string })[];
  workspaces: {
    id: string;
    name: string;
    databricksName: string;
    /** As ARM answers it: host and path, no scheme. */
    workspaceUrl: string;
    /** The same with https://, as a Databricks client wants it. */
    url: string;
    location: string;
    provisioningState: string;
  }[];
  vaults: { id: string; name: string; uri: string; secretNames: string[] }[];
  roleAssignments: RoleAssignment[];
  workspaceMembers: Record<string, string[]>;
}

interface SavedAzureWorld {
  version: 1;
  tenantId: string;
  signingKey: string;
  managedIdentity: ManagedIdentity;
  servicePrincipals: ServicePrincipal[];
  roleTableEnabled: boolean;
  roleAssignments: RoleAssignment[];
  resources: SavedResources;
  membership: SavedMembership;
}

const worldFileName = 'azure-world.json';
// Fixed defaults: MSAL's process-wide managed-identity cache hands a token from one emulator instance to the
// next, which only works when both share tenant, identity and signing key.
const defaultTenantId = '72f988bf-0000-4000-8000-00000000b1c7';
const defaultPrincipalId = 'b1c7a9e0-0000-4000-8000-00000000f00d';
const defaultClientId = 'b1c7a9e0-0000-4000-8000-00000000c1d0';
const defaultSigningKey = 'bricklane-azure-emulator-signing-key';

export class AzureEmulator {
  readonly identityHeader = randomBytes(16).toString('hex');

  private tenant: string;
  private identity: ManagedIdentity;
  private readonly principals = new Map<string, ServicePrincipal>();
  private readonly roleTable: RoleTable;
  private readonly issuer: TokenIssuer;
  private readonly resources: ArmResources;
  private readonly arm: ArmRoutes;
  private readonly tokenEndpoints: TokenEndpoints;
  private readonly validator: DatabricksAadValidator;
  private readonly faults = new ServiceFaults();
  private server: HttpsEndpoint | undefined;
  private stopped = false;
  private log: string[] = [];

  private constructor(private readonly options: AzureEmulatorOptions) {
    const databricks = options.databricks;
    // One clock for both emulators: advancing databricks.clock expires AAD tokens too (while the SDKs, on
    // the real clock, still consider their cached tokens valid and send them: a way to test 401 handling).
    const now = (): number => databricks.clock.now();
    const baseUrl = (): string => this.armEndpoint;
    const lifetime = options.tokenLifetimeInSeconds ?? 3600;
    this.tenant = options.tenantId ?? defaultTenantId;
    this.identity = {
      principalId: options.managedIdentity?.principalId ?? defaultPrincipalId,
      clientId: options.managedIdentity?.clientId ?? defaultClientId,
    };
    this.roleTable = new RoleTable(options.roleTableEnabled ?? true);
    this.issuer = new TokenIssuer(defaultSigningKey, baseUrl, now, lifetime);
    this.resources = new ArmResources(databricks, {
      issuer: this.issuer,
      roles: this.roleTable,
      authorityHost: baseUrl,
      now,
      log: (line) => this.record(line),
      faults: this.faults,
    });
    this.arm = new ArmRoutes(this.resources, this.roleTable, this.issuer, baseUrl);
    this.arm.inProgressPolls = options.workspaceInProgressPolls ?? 1;
    const directory: Directory = {
      tenantId: () => this.tenant,
      managedIdentity: () => this.identity,
      identityHeader: this.identityHeader,
      servicePrincipal: (clientId) => this.principals.get(clientId),
    };
    this.tokenEndpoints = new TokenEndpoints(directory, this.issuer, baseUrl, lifetime);
    this.validator = new DatabricksAadValidator(databricks, this.issuer, this.roleTable, this.resources);
  }

  static async start(options: AzureEmulatorOptions): Promise<AzureEmulator> {
    const emulator = new AzureEmulator(options);
    emulator.server = await HttpsEndpoint.start((request) => emulator.handle(request), options.port ?? 0);
    emulator.validator.install();
    if (options.stateDir) await emulator.loadFrom(options.stateDir);
    return emulator;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.options.stateDir) await this.saveTo(this.options.stateDir);
    this.options.databricks.setTokenValidator(undefined);
    await Promise.all([this.server?.stop(), this.resources.stop()]);
  }

  /** https://127.0.0.1:<port>: BRICKLANE_ARM_ENDPOINT. */
  get armEndpoint(): string {
    if (!this.server) throw new Error('The Azure emulator is not listening yet');
    return this.server.url;
  }

  /** BRICKLANE_AUTHORITY_HOST: the same server answers /<tenant>/oauth2/v2.0/token. */
  get authorityHost(): string {
    return this.armEndpoint;
  }

  /** IDENTITY_ENDPOINT (App Service serves it on localhost; here it is https like the rest). */
  get identityEndpoint(): string {
    return `${this.armEndpoint}${TokenEndpoints.identityPath}`;
  }

  get tenantId(): string {
    return this.tenant;
  }

  get managedIdentityPrincipalId(): string {
    return this.identity.principalId;
  }

  get managedIdentityClientId(): string {
    return this.identity.clientId;
  }

  /** The settings a bricklane process needs to use this emulator (see azure-contract.md). */
  environment(): Record<string, string> {
    return {
      BRICKLANE_ARM_ENDPOINT: this.armEndpoint,
      BRICKLANE_AUTHORITY_HOST: this.authorityHost,
      IDENTITY_ENDPOINT: this.identityEndpoint,
      IDENTITY_HEADER: this.identityHeader,
    };
  }

  /** Registers an app in the tenant (or replaces its secret). Generated ids and secret when omitted. */
  addServicePrincipal(
    principal: { clientId?: string; clientSecret?: string; objectId?: string } = {},
  ): ServicePrincipal {
    const clientId = principal.clientId ?? randomUUID();
    const added: ServicePrincipal = {
      clientId,
      clientSecret: principal.clientSecret ?? randomBytes(24).toString('base64url'),
      objectId: principal.objectId ?? this.principals.get(clientId)?.objectId ?? randomUUID(),
    };
    this.principals.set(clientId, added);
    return { ...added };
  }

  /** `roleName`: see RoleTable.definition. `scope`: an ARM id ('/subscriptions/<id>', a group, a resource). */
  assignRole(principalId: string, roleName: string, scope: string): void {
    this.roleTable.assign(principalId, roleName, scope);
  }

  removeRole(principalId: string, roleName: string, scope: string): boolean {
    return this.roleTable.remove(principalId, roleName, scope);
  }

  roleAssignments(principalId?: string): RoleAssignment[] {
    return this.roleTable.list(principalId);
  }

  /**
   * Faults in ARM, every Key Vault, the Entra authority and the managed-identity endpoint, as `spec` says
   * (its `services`), each service on its own stream seeded from `seed`. Replaces earlier faults.
   */
  injectFaults(spec: FaultSpec, seed: number): void {
    this.faults.set(spec, seed);
  }

  /** Scripted faults for one of the Azure services (see ServiceFaults.script). */
  scriptFaults(
    service: 'arm' | 'keyvault' | 'token' | 'identity',
    sequence: (FaultKind | 'none')[],
    endpoints?: string[],
  ): void {
    this.faults.script(service, sequence, endpoints);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** What was injected since the faults were set, per service and kind (spikes counted apart). */
  injectedFaults(): Partial<Record<FaultService, Partial<Record<FaultKind | 'spike', number>>>> {
    return this.faults.injected();
  }

  /** See AzureEmulatorOptions.workspaceInProgressPolls; applies to workspaces created from now on. */
  setWorkspaceInProgressPolls(polls: number): void {
    this.arm.inProgressPolls = polls;
  }

  setRoleTableEnabled(enabled: boolean): void {
    this.roleTable.enabled = enabled;
  }

  /**
   * A token as the emulated AAD would issue it, for tests that need one the SDKs would never hand out (one
   * that expires in 20 s, one for a principal without credentials). `audience` is a resource or a scope.
   */
  issueToken(request: {
    audience: string;
    principalId: string;
    appId?: string;
    lifetimeInSeconds?: number;
  }): string {
    return this.issuer.issue({
      audience: TokenIssuer.resourceOfScope(request.audience),
      objectId: request.principalId,
      tenantId: this.tenant,
      appId: request.appId ?? request.principalId,
      version: '2.0',
      ...(request.lifetimeInSeconds === undefined ? {} : { lifetimeInSeconds: request.lifetimeInSeconds }),
    }).token;
  }

  /** Seeds a resource group "made by IT" (no HTTP, not counted). Returns its ARM id. */
  createResourceGroup(group: {
    subscriptionId: string;
    name: string;
    location?: string;
    tags?: Record<string, string>;
  }): string {
    this.resources.putResourceGroup({
      subscriptionId: group.subscriptionId,
      name: group.name,
      location: group.location ?? 'westeurope',
      tags: group.tags ?? {},
    });
    return ArmResources.resourceGroupId(group.subscriptionId, group.name);
  }

  /** Seeds an existing, provisioned workspace (creating its resource group if needed). */
  async createWorkspace(workspace: {
    subscriptionId: string;
    resourceGroup: string;
    name: string;
    location?: string;
    sku?: string;
    managedResourceGroupId?: string;
  }): Promise<{ id: string; workspaceUrl: string; databricksName: string }> {
    const location = workspace.location ?? 'westeurope';
    this.ensureResourceGroup(workspace.subscriptionId, workspace.resourceGroup, location);
    const { record } = await this.resources.putWorkspace(
      {
        subscriptionId: workspace.subscriptionId,
        resourceGroup: workspace.resourceGroup,
        name: workspace.name,
        location,
        skuName: workspace.sku ?? 'premium',
        tags: {},
        computeMode: 'Hybrid',
        managedResourceGroupId:
          workspace.managedResourceGroupId ??
          ArmResources.resourceGroupId(workspace.subscriptionId, `databricks-rg-${workspace.name}`),
      },
      'Succeeded',
    );
    return {
      id: ArmResources.workspaceId(record),
      workspaceUrl: this.resources.workspaceUrl(record),
      databricksName: record.databricksName,
    };
  }

  /** The ARM id of the workspace the Databricks emulator knows as `databricksName`. */
  workspaceResourceId(databricksName: string): string {
    const record = this.resources.workspaceByDatabricksName(databricksName);
    if (!record) throw new Error(`No ARM workspace behind Databricks workspace ${databricksName}`);
    return ArmResources.workspaceId(record);
  }

  /** Seeds an existing vault "made by IT" (RBAC mode, creating its resource group if needed). */
  async createKeyVault(vault: {
    subscriptionId: string;
    resourceGroup: string;
    name: string;
    location?: string;
    tenantId?: string;
  }): Promise<KeyVaultServer> {
    const location = vault.location ?? 'westeurope';
    this.ensureResourceGroup(vault.subscriptionId, vault.resourceGroup, location);
    await this.resources.putVault({
      subscriptionId: vault.subscriptionId,
      resourceGroup: vault.resourceGroup,
      name: vault.name,
      location,
      tags: {},
      properties: {
        tenantId: vault.tenantId ?? this.tenant,
        sku: { family: 'A', name: 'standard' },
        enableRbacAuthorization: true,
        enableSoftDelete: true,
        softDeleteRetentionInDays: 90,
      },
    });
    return this.vault(vault.name);
  }

  /**
   * `listener` sees each vault created from now on, by the product (an ARM PUT) or by createKeyVault, before the
   * creation answers: a world's IT sets what its bundles need in a vault the deploy itself creates.
   */
  onVaultCreated(listener: ((vault: KeyVaultServer) => void) | undefined): void {
    this.resources.vaultCreated = listener;
  }

  setSecret(vaultName: string, name: string, value: string): void {
    this.vault(vaultName).setSecret(name, value);
  }

  vault(name: string): KeyVaultServer {
    const vault = this.resources.vault(name);
    if (!vault) throw new Error(`No emulated Key Vault named ${name}`);
    return vault;
  }

  findVault(name: string): KeyVaultServer | undefined {
    return this.resources.vault(name);
  }

  addWorkspaceMember(databricksName: string, principalId: string): void {
    this.validator.addMember(databricksName, principalId);
  }

  removeWorkspaceMember(databricksName: string, principalId: string): void {
    this.validator.removeMember(databricksName, principalId);
  }

  workspaceMembers(databricksName: string): string[] {
    return this.validator.membersOf(databricksName);
  }

  /** Who got into which workspace through X-Databricks-Azure-SP-Management-Token (and was added). */
  autoAdmissions(): AutoAdmission[] {
    return this.validator.autoAdmissions();
  }

  counters(): AzureCounters {
    const keyVault: VaultCounters = { total: 0, writes: 0, reads: 0 };
    for (const { server } of this.resources.allVaults()) {
      const counts = server.counters();
      keyVault.total += counts.total;
      keyVault.writes += counts.writes;
      keyVault.reads += counts.reads;
    }
    return { arm: this.arm.counters(), keyVault, tokens: this.tokenEndpoints.counters() };
  }

  resetCounters(): void {
    this.arm.resetCounters();
    this.tokenEndpoints.resetCounters();
    for (const { server } of this.resources.allVaults()) server.resetCounters();
  }

  snapshot(): AzureSnapshot {
    const workspaceMembers = this.validator.toJSON().members;
    return {
      resourceGroups: this.resources.allResourceGroups().map((record) => ({
        ...record,
        id: ArmResources.resourceGroupId(record.subscriptionId, record.name),
      })),
      workspaces: this.resources.allWorkspaces().map((record: WorkspaceRecord) => ({
        id: ArmResources.workspaceId(record),
        name: record.name,
        databricksName: record.databricksName,
        workspaceUrl: this.resources.workspaceUrl(record),
        url: `https://${this.resources.workspaceUrl(record)}`,
        location: record.location,
        provisioningState: record.provisioningState,
      })),
      vaults: this.resources.allVaults().map(({ record, server }) => ({
        id: ArmResources.vaultId(record),
        name: record.name,
        uri: server.uri,
        secretNames: server.secretNames(),
      })),
      roleAssignments: this.roleTable.list(),
      workspaceMembers,
    };
  }

  /** Writes `azure-world.json` into dir; returns its path. */
  async saveTo(dir: string): Promise<string> {
    const saved: SavedAzureWorld = {
      version: 1,
      tenantId: this.tenant,
      signingKey: this.issuer.signingKey,
      managedIdentity: { ...this.identity },
      servicePrincipals: [...this.principals.values()].map((principal) => ({ ...principal })),
      roleTableEnabled: this.roleTable.enabled,
      roleAssignments: this.roleTable.toJSON(),
      resources: this.resources.toJSON(),
      membership: this.validator.toJSON(),
    };
    await mkdir(dir, { recursive: true });
    const file = join(dir, worldFileName);
    // Write then rename, so a run killed mid-save leaves the previous world intact.
    await writeFile(`${file}.tmp`, JSON.stringify(saved, null, 2));
    await rename(`${file}.tmp`, file);
    return file;
  }

  /**
   * Replaces the whole Azure world with the one saved in dir (vaults restart, on their saved ports when
   * free); false when there is nothing saved. Load the Databricks emulator's world first: workspaces missing
   * there are added empty.
   */
  async loadFrom(dir: string): Promise<boolean> {
    let text: string;
    try {
      text = await readFile(join(dir, worldFileName), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    const saved = JSON.parse(text) as SavedAzureWorld;
    if (saved.version !== 1) throw new Error(`Unsupported Azure world version ${String(saved.version)}`);
    this.tenant = saved.tenantId;
    this.issuer.signingKey = saved.signingKey;
    this.identity = { ...saved.managedIdentity };
    this.principals.clear();
    for (const principal of saved.servicePrincipals)
      this.principals.set(principal.clientId, { ...principal });
    this.roleTable.enabled = saved.roleTableEnabled;
    this.roleTable.restore(saved.roleAssignments);
    await this.resources.restore(saved.resources);
    this.validator.restore(saved.membership);
    return true;
  }

  private ensureResourceGroup(subscriptionId: string, name: string, location: string): void {
    if (!this.resources.resourceGroup(subscriptionId, name)) {
      this.createResourceGroup({ subscriptionId, name, location });
    }
  }

  /**
   * The last 1000 requests to ARM, the token endpoints and the vaults, as `<status> <method> <url>`, oldest
   * first: what tests use to pin the exact calls an SDK makes.
   */
  requestLog(): string[] {
    return [...this.log];
  }

  clearRequestLog(): void {
    this.log = [];
  }

  private record(line: string): void {
    this.log.push(line);
    if (this.log.length > 1000) this.log.shift();
  }

  // Token requests change no state, so a lost answer (a write's) never hits them.
  private async handle(request: HttpRequest): Promise<HttpAnswer> {
    const path = request.url.pathname;
    const tokenService = TokenEndpoints.faultServiceOf(path);
    const service = tokenService ?? 'arm';
    const write = !tokenService && !['GET', 'HEAD'].includes(request.method);
    const outcome = await answerWithFaults(
      this.faults.decide(service, path, write),
      tokenService ? TokenEndpoints.injectedError : ArmRoutes.injectedError,
      async () => this.tokenEndpoints.handle(request) ?? (await this.arm.handle(request)),
    );
    const answer: HttpAnswer = outcome === connectionReset ? { status: 0, reset: true } : outcome;
    this.record(
      `${answer.reset ? 'reset' : answer.status} ${request.method} ${this.armEndpoint}${path}${request.url.search}`,
    );
    return answer;
  }
}
