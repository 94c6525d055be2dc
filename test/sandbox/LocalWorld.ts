// Test infrastructure: the local stand-in for Azure: the Databricks emulator, the Azure emulator (ARM,
// managed identity, Entra ID, Key Vault) and Azurite, plus the app settings that point the real product
// code at them. Nothing here is imported by src/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabricksAuthMode } from '../../src/config/Settings';
import { displayName } from '../../src/config/loadSettings';
import { AzureEmulator } from '../emulator/AzureEmulator';
import { identityEndpointFor } from './IdentityEndpointProxy';
import { Azurite } from '../emulator/Azurite';
import { DatabricksEmulator, type EmulatorOptions } from '../emulator/DatabricksEmulator';
import { WorldGenerations } from './WorldGenerations';
import { WorldLock } from './WorldLock';

export const SANDBOX_SUBSCRIPTION = '5a4d8c1e-0000-4000-8000-00000000b71c';
export const SANDBOX_PROJECT = 'MyProject';

export interface LocalWorldOptions {
  /** Persist the emulated Azure, workspaces and Azurite's storage here between runs. */
  worldDir?: string;
  environments?: string[];
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
}

export class LocalWorld {
  private constructor(
    readonly emulator: DatabricksEmulator,
    readonly azure: AzureEmulator,
    readonly azurite: Azurite,
    readonly environments: string[],
    readonly auth: DatabricksAuthMode,
    private readonly saved?: { lock: WorldLock; generations: WorldGenerations },
  ) {}

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
      const azurite = await Azurite.start(dir ? { location: join(dir, 'azurite') } : {});
      started.push(azurite);
      // @azure/identity reads the App Service identity endpoint from the process environment, as in Azure.
      const identityEndpoint = await identityEndpointFor(azure.identityEndpoint, azure.identityHeader);
      Object.assign(process.env, {
        IDENTITY_ENDPOINT: identityEndpoint,
        IDENTITY_HEADER: azure.identityHeader,
      });
      const world = new LocalWorld(emulator, azure, azurite, environments, auth, saved);
      await world.prepare(options);
      return world;
    } catch (error) {
      await Promise.allSettled(started.map((s) => s.stop()));
      saved?.lock.release();
      throw error;
    }
  }

  /** Resource names as the product derives them from settings (the seed's schema). */
  names(env: string): { resourceGroup: string; workspace: string; keyVault: string } {
    const suffix = `${SANDBOX_PROJECT}-${displayName(env)}`;
    return {
      resourceGroup: `Databricks-${suffix}`,
      workspace: `Databricks-${suffix}`,
      keyVault: `KeyVault-${suffix}`,
    };
  }

  private async prepare(options: LocalWorldOptions): Promise<void> {
    const sub = `/subscriptions/${SANDBOX_SUBSCRIPTION}`;
    const known = new Set(this.azure.snapshot().vaults.map((v) => v.name));
    for (const env of this.environments) {
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
    this.azure.resetCounters();
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
    };
    for (const env of this.environments) {
      const prefix = `BRICKLANE_${env.toUpperCase()}_`;
      values[`${prefix}DATABRICKS_AUTH`] = this.auth;
      if (this.auth === 'token') {
        values[`${prefix}WORKSPACE_URL`] = this.emulator.workspaceUrl(env);
        values[`${prefix}DATABRICKS_TOKEN`] = DatabricksEmulator.defaultToken;
      } else {
        values[`${prefix}SUBSCRIPTION_ID`] = SANDBOX_SUBSCRIPTION;
        values[`${prefix}LOCATION`] = 'westeurope';
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
      this.environments.map((env) => {
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
              keyVault: vault ? { name: vault.name, secretNames: vault.secretNames } : null,
            },
          },
        ];
      }),
    );
    const { total, writes, byEndpoint } = this.emulator.counters();
    return { environments, requests: { total, writes, byEndpoint }, azureRequests: this.azure.counters() };
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
    }
  }
}

function emptySnapshot(): Record<string, unknown> {
  return { notebooks: {}, workspaceFiles: {}, dbfs: {}, clusters: [], jobs: [] };
}
