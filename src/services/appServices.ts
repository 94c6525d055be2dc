// I/O: the one service container of a worker process, shared by triggers and activities: settings read
// once, the app identity, the storage account (ledger, releases with plans and staged bundles, approval
// decisions, all from one blob client), one request scheduler per Databricks workspace (every call to a
// workspace from this process goes through it, whichever activity makes it), and each environment's
// resolved workspace connection, kept for a while so that a release resolves ARM, Key Vault and a token
// once per environment instead of once per activity call.
import type { TokenCredential } from '@azure/core-auth';
import type { BlobServiceClient } from '@azure/storage-blob';
import { DecisionStore } from '../approvals/DecisionStore';
import { AuditStore } from '../azure/AuditStore';
import { blobServiceFromSettings } from '../azure/blobServiceFromSettings';
import { connectWorkspace, type ConnectedWorkspace } from '../azure/connectWorkspace';
import { createAzureCredential } from '../azure/createAzureCredential';
import { LedgerStore } from '../azure/LedgerStore';
import { ReleaseStorage } from '../azure/ReleaseStorage';
import { environmentByName, loadSettings } from '../config/loadSettings';
import type { AzureSettings, EnvironmentSettings, Settings } from '../config/Settings';
import { RequestScheduler } from '../databricks/RequestScheduler';

/**
 * How long a resolved connection is reused. Well inside what it holds: Entra ID access tokens live 60 to
 * 90 minutes and the credentials refresh them themselves (learn.microsoft.com, "Access tokens in the
 * Microsoft identity platform", token lifetime); a service principal secret rotated in Key Vault is read
 * again within this time, and a refused token drops the connection at once (forgetConnection).
 */
export const CONNECTION_TTL_IN_MS = 10 * 60_000;

export interface EnvironmentConnection {
  env: EnvironmentSettings;
  connected: ConnectedWorkspace;
}

export interface AppServices {
  settings: Settings;
  credential: () => TokenCredential;
  /** The ledger's storage account: it holds the ledger, the releases container and the decisions. */
  blobService: BlobServiceClient;
  ledger: LedgerStore;
  /** Staged bundles, stored plans, bundle diagnostics, environment claims. */
  releases: ReleaseStorage;
  decisions: DecisionStore;
  /** The append-only audit trail of each environment (release/AuditEvent.ts; appendAudit writes to it). */
  audit: AuditStore;
  /**
   * App Service Authentication is enabled, so identity headers come from the platform. The platform sets
   * WEBSITE_AUTH_ENABLED, and the Functions host reads the same variable to detect Easy Auth.
   */
  easyAuthEnabled: boolean;
  schedulerFor: (workspaceUrl: string) => RequestScheduler;
  /**
   * The environment's workspace URL and Databricks credential. `create: true` (provisioning) always asks
   * Azure and creates what is missing; `create: false` reuses a connection resolved in the last
   * CONNECTION_TTL_IN_MS. A connection without a workspace (not created yet) is never kept.
   */
  connectionFor: (environment: string, options: { create: boolean }) => Promise<EnvironmentConnection>;
  /** Drops the environment's connection (its token or secret was refused). */
  forgetConnection: (environment: string) => void;
}

let services: { fingerprint: string; value: AppServices } | undefined;

/**
 * Built once per worker and rebuilt when the app settings change (the portal restarts the worker on a
 * change; a host that keeps the process, like a local one, gets the same effect without a restart).
 * Throws SettingsError (every problem at once) while the settings are invalid; nothing failed is kept.
 */
export function appServices(): AppServices {
  const fingerprint = settingsFingerprint(process.env);
  if (services?.fingerprint === fingerprint) return services.value;
  const value = createAppServices(process.env, createAzureCredential);
  services = { fingerprint, value };
  return value;
}

/** Drops an environment's cached connection, if services exist (see AppServices.forgetConnection). */
export function forgetConnection(environment: string): void {
  services?.value.forgetConnection(environment);
}

function settingsFingerprint(env: NodeJS.ProcessEnv): string {
  return Object.keys(env)
    .filter(
      (k) =>
        k.startsWith('BRICKLANE_') ||
        k === 'AzureWebJobsStorage' ||
        k.startsWith('IDENTITY_') ||
        k === 'WEBSITE_AUTH_ENABLED',
    )
    .sort()
    .map((k) => `${k}=${env[k] ?? ''}`)
    .join('\n');
}

/** The container for `values` (app settings); `credentialFor` makes the app identity when first used. */
export function createAppServices(
  values: Readonly<Record<string, string | undefined>>,
  credentialFor: (azure: AzureSettings) => TokenCredential,
  now: () => number = Date.now,
): AppServices {
  const settings = loadSettings(values);
  let credential: TokenCredential | undefined;
  const getCredential = (): TokenCredential => (credential ??= credentialFor(settings.azure));
  const blobService = blobServiceFromSettings(settings.ledger, getCredential);
  const schedulers = new Map<string, RequestScheduler>();
  const connections = new Map<string, { expiresAt: number; connection: Promise<EnvironmentConnection> }>();

  const resolve = (environment: string, create: boolean): Promise<EnvironmentConnection> => {
    const connection = (async (): Promise<EnvironmentConnection> => {
      const env = environmentByName(settings, environment);
      const connected = await connectWorkspace(settings, env, {
        create,
        appCredential: env.databricksAuth === 'token' ? undefined : getCredential(),
      });
      return { env, connected };
    })();
    const entry = { expiresAt: now() + CONNECTION_TTL_IN_MS, connection };
    connections.set(environment, entry);
    const drop = (): void => {
      if (connections.get(environment) === entry) connections.delete(environment);
    };
    connection.then((c) => (c.connected.workspace ? undefined : drop()), drop);
    return connection;
  };

  return {
    settings,
    credential: getCredential,
    blobService,
    ledger: new LedgerStore(blobService, settings.ledger.container),
    releases: new ReleaseStorage(blobService),
    decisions: new DecisionStore(blobService),
    audit: new AuditStore(blobService),
    easyAuthEnabled: (values.WEBSITE_AUTH_ENABLED ?? '').trim().toLowerCase() === 'true',
    schedulerFor: (url) => {
      let scheduler = schedulers.get(url);
      if (!scheduler) {
        scheduler = new RequestScheduler({ maxInFlight: settings.maxInFlight });
        schedulers.set(url, scheduler);
      }
      return scheduler;
    },
    connectionFor: (environment, options) => {
      const cached = connections.get(environment);
      if (!options.create && cached && cached.expiresAt > now()) return cached.connection;
      return resolve(environment, options.create);
    },
    forgetConnection: (environment) => {
      connections.delete(environment);
    },
  };
}
