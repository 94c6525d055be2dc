// Test infrastructure: the local stand-in for Azure: the Databricks emulator, the Azure emulator (ARM,
// managed identity, Entra ID, Key Vault) and Azurite, plus the app settings that point the real product
// code at them. Nothing here is imported by src/.
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabricksAuthMode } from '../../src/config/Settings';
import { displayName } from '../../src/config/loadSettings';
import { targetKey } from '../../src/config/readTargets';
import { AzureEmulator } from '../emulator/AzureEmulator';
import type { KeyVaultServer } from '../emulator/KeyVaultServer';
import { identityEndpointFor } from './IdentityEndpointProxy';
import { Azurite } from '../emulator/Azurite';
import { DatabricksEmulator, type EmulatorOptions } from '../emulator/DatabricksEmulator';
import { faultOptionsOf } from '../emulator/FaultInjector';
import type { FaultKind } from '../emulator/FaultInjector';
import type { FaultService, FaultSpec } from '../emulator/FaultSpec';
import type { SourceHostEmulator } from '../emulator/SourceHostEmulator';
import { emptySnapshot } from '../emulator/WorkspaceState';
import { WorldGenerations } from './WorldGenerations';
import { WorldLock } from './WorldLock';

export const SANDBOX_SUBSCRIPTION = '5a4d8c1e-0000-4000-8000-00000000b71c';
export const SANDBOX_PROJECT = 'MyProject';

export interface LocalWorldOptions {
  /** Persist the emulated Azure, workspaces and Azurite's storage here between runs. */
  worldDir?: string;
  environments?: string[];
  /**
   * Rings (BRICKLANE_<ENV>_TARGETS): an environment's targets, canary first (`{ prod: ['weu', 'neu', 'eus'] }`).
   * Each target is a workspace of its own (its own resource group, workspace and vault; in token mode its own
   * emulated origin), going by its key (`prod.weu`) in `workspaces()`, `names`, `workspaceName` and `state()`.
   */
  targets?: Readonly<Record<string, readonly string[]>>;
  /** How bricklane signs in to Databricks (default: the seed's Key Vault service principal). */
  auth?: DatabricksAuthMode;
  /**
   * Seed each environment as an operator would before the first keyVaultServicePrincipal deploy: the
   * service principal exists, its secrets are in the environment's vault (created by IT). Default true
   * for keyVaultServicePrincipal.
   */
  seedVaults?: boolean;
  /** Grant the app identity the roles infra/ grants (default true). */
  grantRoles?: boolean;
  emulator?: Omit<EmulatorOptions, 'stateDir'>;
  /** Faults in every emulated service from the start (see FaultSpec.ts); `injectFaults` changes them later. */
  faults?: { spec: FaultSpec; seed: number };
  /**
   * Keep Azurite's data on disk (a temporary folder when there is no worldDir), so that `storageOutage` can
   * stop and restart it without losing anything. Default: true when `faults` is given.
   */
  storageOutages?: boolean;
}

/** What the world injected so far: the Azure side and the source hosts per service and kind, Databricks' total. */
export type InjectedFaults = Partial<
  Record<FaultService, Partial<Record<FaultKind | 'spike', number> | number>>
>;

/**
 * The operator's allow-list for the sample bundle's permissions and its secret scope's ACL entry
 * (BRICKLANE_PERMISSIONS).
 */
export const SAMPLE_PERMISSIONS = [
  'group:data-engineers=CAN_MANAGE_RUN',
  'group:data-analysts=CAN_VIEW',
  'group:data-engineers=CAN_USE',
  'group:data-analysts=CAN_READ',
  'group:data-engineers=READ',
].join(',');

/** The Key Vault secret the sample bundle copies (artifacts/secrets/etl.json), set in every vault of a world. */
export const SAMPLE_VAULT_SECRET = 'etl-db-password';

export class LocalWorld {
  private faults: { spec: FaultSpec; seed: number } | undefined;
  private readonly sourceHosts: SourceHostEmulator[] = [];
  /** Removed at stop: Azurite's folder when outages are possible and there is no world folder. */
  private temporaryStorage: string | undefined;

  private constructor(
    readonly emulator: DatabricksEmulator,
    readonly azure: AzureEmulator,
    readonly azurite: Azurite,
    readonly environments: string[],
    readonly auth: DatabricksAuthMode,
    private readonly saved?: { lock: WorldLock; generations: WorldGenerations },
    readonly targets: Readonly<Record<string, readonly string[]>> = {},
  ) {}

  /** Every workspace of the world by the key the product gives it: an environment's name, or a target's key. */
  workspaces(): string[] {
    return this.environments.flatMap((env) => {
      const targets = this.targets[env];
      return targets && targets.length > 0 ? targets.map((t) => targetKey(env, t)) : [env];
    });
  }

  static async start(options: LocalWorldOptions = {}): Promise<LocalWorld> {
    const environments = options.environments ?? ['dev'];
    const auth = options.auth ?? 'keyVaultServicePrincipal';
    // A saved world is locked to this process, and the emulators work in a copy that `stop` commits whole.
    let saved: { lock: WorldLock; generations: WorldGenerations } | undefined;
    if (options.worldDir) {
      mkdirSync(options.worldDir, { recursive: true });
      const lock = WorldLock.acquire(options.worldDir);
      try {
        saved = { lock, generations: WorldGenerations.open(options.worldDir) };
      } catch (error) {
        lock.release();
        throw error;
      }
    }
    const dir = saved?.generations.workDir;
    const onDisk = options.storageOutages ?? options.faults !== undefined;
    const temporaryStorage = !dir && onDisk ? mkdtempSync(join(tmpdir(), 'bricklane-azurite-')) : undefined;
    const started: { stop(): Promise<void> }[] = [];
    try {
      const emulator = await DatabricksEmulator.start({
        ...options.emulator,
        ...(dir ? { stateDir: join(dir, 'databricks') } : {}),
      });
      started.push(emulator);
      const azure = await AzureEmulator.start({
        databricks: emulator,
        workspaceInProgressPolls: 0,
        ...(dir ? { stateDir: join(dir, 'azure') } : {}),
      });
      started.push(azure);
      const azuriteDir = dir ? join(dir, 'azurite') : temporaryStorage;
      const azurite = await Azurite.start(azuriteDir ? { location: azuriteDir } : {});
      started.push(azurite);
      // @azure/identity reads the App Service identity endpoint from the process environment, as in Azure.
      const identityEndpoint = await identityEndpointFor(azure.identityEndpoint, azure.identityHeader);
      Object.assign(process.env, {
        IDENTITY_ENDPOINT: identityEndpoint,
        IDENTITY_HEADER: azure.identityHeader,
      });
      const world = new LocalWorld(emulator, azure, azurite, environments, auth, saved, options.targets);
      world.temporaryStorage = temporaryStorage;
      await world.prepare(options);
      // After prepare, whose seeding is "IT's work", not the product's requests.
      if (options.faults) world.injectFaults(options.faults.spec, options.faults.seed);
      return world;
    } catch (error) {
      await Promise.allSettled(started.map((s) => s.stop()));
      saved?.lock.release();
      if (temporaryStorage) rmSync(temporaryStorage, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * Faults in every emulated service as `spec` says, each service on its own stream seeded from `seed` (the
   * same seed and request order give the same faults). Replaces earlier faults.
   */
  injectFaults(spec: FaultSpec, seed: number): void {
    this.faults = { spec, seed };
    const databricks = faultOptionsOf(spec, seed, 'databricks');
    if (databricks) this.emulator.faults(databricks);
    else this.emulator.clearFaults();
    this.azure.injectFaults(spec, seed);
    for (const hosts of this.sourceHosts) hosts.injectFaults(spec, seed);
  }

  clearFaults(): void {
    this.faults = undefined;
    this.emulator.clearFaults();
    this.azure.clearFaults();
    for (const hosts of this.sourceHosts) hosts.clearFaults();
  }

  /** The spec and seed in force, if any. */
  get faultSettings(): { spec: FaultSpec; seed: number } | undefined {
    return this.faults;
  }

  /** Source hosts started beside the world (GitHub, Azure Repos) get the world's faults, now and later. */
  addSourceHosts(hosts: SourceHostEmulator): void {
    this.sourceHosts.push(hosts);
    if (this.faults) hosts.injectFaults(this.faults.spec, this.faults.seed);
  }

  /** What was injected since the faults were set (Databricks as a total of its counted faults). */
  injectedFaults(): InjectedFaults {
    const injected: InjectedFaults = {
      ...this.azure.injectedFaults(),
      databricks: this.emulator.counters().faults,
    };
    for (const hosts of this.sourceHosts) {
      const source = { ...(injected.source as Partial<Record<FaultKind | 'spike', number>> | undefined) };
      for (const [kind, count] of Object.entries(hosts.injectedFaults()) as [FaultKind, number][]) {
        source[kind] = (source[kind] ?? 0) + count;
      }
      injected.source = source;
    }
    return injected;
  }

  /**
   * Storage goes away: Azurite stops (ledger, durable state and bundles unreachable, connections refused) and
   * comes back after `durationInMs` on the same ports with the same data, so the connection string the app
   * holds still works. Resolves when Azurite is back.
   */
  async storageOutage(durationInMs: number): Promise<void> {
    await this.azurite.outage(durationInMs);
  }

  /**
   * Resource names as the product derives them from settings (the seed's schema); a target's (`prod.weu`) with the
   * target as suffix, but its vault, which the seed's name with a suffix would push over 24 characters: the world
   * sets it (BRICKLANE_<ENV>_<TARGET>_KEY_VAULT), as an operator would.
   */
  names(env: string): { resourceGroup: string; workspace: string; keyVault: string } {
    const [environment = env, target] = env.split('.');
    const suffix = `${SANDBOX_PROJECT}-${displayName(environment)}`;
    if (target !== undefined) {
      return {
        resourceGroup: `Databricks-${suffix}-${target}`,
        workspace: `Databricks-${suffix}-${target}`,
        keyVault: `kv-${environment}-${target}`,
      };
    }
    return {
      resourceGroup: `Databricks-${suffix}`,
      workspace: `Databricks-${suffix}`,
      keyVault: `KeyVault-${suffix}`,
    };
  }

  private async prepare(options: LocalWorldOptions): Promise<void> {
    const sub = `/subscriptions/${SANDBOX_SUBSCRIPTION}`;
    const known = new Set(this.azure.snapshot().vaults.map((v) => v.name));
    for (const env of this.workspaces()) {
      if (this.auth === 'token') {
        await this.emulator.addWorkspace(env);
        continue;
      }
      const { resourceGroup, keyVault } = this.names(env);
      const group = `${sub}/resourceGroups/${resourceGroup}`;
      if (options.grantRoles ?? true) {
        const mi = this.azure.managedIdentityPrincipalId;
        this.azure.assignRole(mi, `Bricklane Resource Group Writer (${SANDBOX_SUBSCRIPTION})`, sub);
        this.azure.assignRole(mi, 'Contributor', group);
        this.azure.assignRole(mi, 'Key Vault Secrets User', group);
      }
      if (this.auth === 'keyVaultServicePrincipal' && (options.seedVaults ?? true) && !known.has(keyVault)) {
        const sp = this.azure.addServicePrincipal();
        this.azure.assignRole(sp.objectId, 'Contributor', group);
        this.azure.createResourceGroup({ subscriptionId: SANDBOX_SUBSCRIPTION, name: resourceGroup });
        await this.azure.createKeyVault({
          subscriptionId: SANDBOX_SUBSCRIPTION,
          resourceGroup,
          name: keyVault,
        });
        this.azure.setSecret(keyVault, 'databricks-dev-ops-subscription-id', SANDBOX_SUBSCRIPTION);
        this.azure.setSecret(keyVault, 'databricks-dev-ops-tenant-id', this.azure.tenantId);
        this.azure.setSecret(keyVault, 'databricks-dev-ops-client-id', sp.clientId);
        this.azure.setSecret(keyVault, 'databricks-dev-ops-client-secret', sp.clientSecret);
      }
    }
    this.seedSampleSecret();
    this.azure.resetCounters();
  }

  /**
   * IT sets the secret the sample bundle copies in each environment's vault once it exists: now in the vaults
   * there are (a saved world's too), and at creation in those a managed-identity deploy creates. A value set
   * before (or by a test) is kept, so a saved world's next release has no new version to copy.
   */
  private seedSampleSecret(): void {
    const seed = (vault: KeyVaultServer): void => {
      if (vault.getSecret(SAMPLE_VAULT_SECRET) === undefined) {
        vault.setSecret(SAMPLE_VAULT_SECRET, `sandbox-${randomUUID()}`);
      }
    };
    this.azure.onVaultCreated(seed);
    for (const { name } of this.azure.snapshot().vaults) seed(this.azure.vault(name));
  }

  /** App settings for the product code, as an operator would set them in Azure. */
  settings(): Record<string, string> {
    const values: Record<string, string> = {
      BRICKLANE_PROJECT: SANDBOX_PROJECT,
      BRICKLANE_ENVIRONMENTS: this.environments.join(','),
      BRICKLANE_LEDGER_CONNECTION: this.azurite.connectionString,
      BRICKLANE_MAX_IN_FLIGHT: '16',
      BRICKLANE_ARM_ENDPOINT: this.azure.armEndpoint,
      BRICKLANE_AUTHORITY_HOST: this.azure.authorityHost,
      BRICKLANE_AZURE_CREDENTIAL: 'managedIdentity',
      // What the sample bundle grants (artifacts/: a job, its policy, the notebook folder and its secret scope).
      BRICKLANE_PERMISSIONS: SAMPLE_PERMISSIONS,
    };
    for (const env of this.environments) {
      const prefix = `BRICKLANE_${env.toUpperCase()}_`;
      values[`${prefix}DATABRICKS_AUTH`] = this.auth;
      if (this.auth === 'token') {
        // A ring's workspaces are its targets': the environment has no workspace of its own.
        if (!this.targets[env]?.length) values[`${prefix}WORKSPACE_URL`] = this.emulator.workspaceUrl(env);
        values[`${prefix}DATABRICKS_TOKEN`] = DatabricksEmulator.defaultToken;
      } else {
        values[`${prefix}SUBSCRIPTION_ID`] = SANDBOX_SUBSCRIPTION;
        values[`${prefix}LOCATION`] = 'westeurope';
      }
      const targets = this.targets[env] ?? [];
      if (targets.length > 0) values[`${prefix}TARGETS`] = targets.join(',');
      for (const target of targets) {
        const own = `${prefix}${target.toUpperCase()}_`;
        if (this.auth === 'token')
          values[`${own}WORKSPACE_URL`] = this.emulator.workspaceUrl(targetKey(env, target));
        else values[`${own}KEY_VAULT`] = this.names(targetKey(env, target)).keyVault;
      }
    }
    return values;
  }

  /** The Databricks emulator's name for an environment's workspace (undefined until it exists). */
  workspaceName(env: string): string | undefined {
    if (this.auth === 'token') return env;
    const { resourceGroup, workspace } = this.names(env);
    return this.azure
      .snapshot()
      .workspaces.find(
        (w) =>
          w.name === workspace &&
          w.id.toLowerCase().includes(`/resourcegroups/${resourceGroup.toLowerCase()}/`),
      )?.databricksName;
  }

  /** The `--state-out` document: every emulated environment plus this run's request counters. */
  state(): Record<string, unknown> {
    const azure = this.azure.snapshot();
    const environments = Object.fromEntries(
      this.workspaces().map((env) => {
        const name = this.workspaceName(env);
        const databricks = name ? this.emulator.snapshot(name) : emptySnapshot();
        if (this.auth === 'token') return [env, databricks];
        const { resourceGroup, workspace, keyVault } = this.names(env);
        const ws = azure.workspaces.find((w) => w.name === workspace);
        const vault = azure.vaults.find((v) => v.name === keyVault);
        return [
          env,
          {
            ...databricks,
            azure: {
              resourceGroup,
              workspace: ws ? { id: ws.id, url: ws.url } : null,
              keyVault: vault
                ? {
                    name: vault.name,
                    secretNames: vault.secretNames,
                    secretSha256: this.vaultHashes(vault.name),
                  }
                : null,
            },
          },
        ];
      }),
    );
    const { total, writes, byEndpoint } = this.emulator.counters();
    return { environments, requests: { total, writes, byEndpoint }, azureRequests: this.azure.counters() };
  }

  /**
   * The sha256 of each vault secret's value (never the value): a secret scope's key copied from the vault then
   * reads as that vault secret (normalizeWorldState), though every world seeds its own random values.
   */
  private vaultHashes(vaultName: string): Record<string, string> {
    const vault = this.azure.findVault(vaultName);
    return Object.fromEntries(
      (vault?.secretNames() ?? []).map((name) => [
        name,
        createHash('sha256')
          .update(vault?.getSecret(name) ?? '', 'utf8')
          .digest('hex'),
      ]),
    );
  }

  /**
   * Stops the emulators, which write their state into the working generation, then commits it: the saved
   * world changes only when all three have written theirs. A failure leaves the previous save in place.
   */
  async stop(): Promise<void> {
    try {
      await this.azurite.stop();
      // The Azure world refers to Databricks workspaces: save it first, then the workspaces.
      await this.azure.stop();
      await this.emulator.stop();
      this.saved?.generations.commit();
    } finally {
      this.saved?.lock.release();
      if (this.temporaryStorage) rmSync(this.temporaryStorage, { recursive: true, force: true });
    }
  }
}
