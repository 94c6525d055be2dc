// I/O: what activities and triggers share in one worker process: settings read once, the app identity,
// storage clients, and one request scheduler per Databricks workspace (all calls to a workspace from this
// process go through it, whichever activity makes them).
import type { TokenCredential } from '@azure/core-auth';
import { createAzureCredential } from '../../azure/createAzureCredential';
import { LedgerStore } from '../../azure/LedgerStore';
import { ReleaseStorage } from '../../azure/ReleaseStorage';
import { loadSettings } from '../../config/loadSettings';
import type { Settings } from '../../config/Settings';
import { RequestScheduler } from '../../databricks/RequestScheduler';

export interface AppServices {
  settings: Settings;
  credential: () => TokenCredential;
  ledger: LedgerStore;
  releases: ReleaseStorage;
  schedulerFor: (workspaceUrl: string) => RequestScheduler;
}

let services: { fingerprint: string; value: AppServices } | undefined;

/**
 * Built once per worker and rebuilt when the app settings change (the portal restarts the worker on a
 * change; a host that keeps the process, like a local one, gets the same effect without a restart).
 */
export function appServices(): AppServices {
  const fingerprint = settingsFingerprint(process.env);
  if (services?.fingerprint === fingerprint) return services.value;
  const value = createAppServices();
  services = { fingerprint, value };
  return value;
}

function settingsFingerprint(env: NodeJS.ProcessEnv): string {
  return Object.keys(env)
    .filter((k) => k.startsWith('BRICKLANE_') || k === 'AzureWebJobsStorage' || k.startsWith('IDENTITY_'))
    .sort()
    .map((k) => `${k}=${env[k] ?? ''}`)
    .join('\n');
}

function createAppServices(): AppServices {
  const settings = loadSettings(process.env);
  let credential: TokenCredential | undefined;
  const getCredential = (): TokenCredential => (credential ??= createAzureCredential(settings.azure));
  const schedulers = new Map<string, RequestScheduler>();
  return {
    settings,
    credential: getCredential,
    ledger: LedgerStore.fromSettings(settings.ledger, getCredential),
    releases: ReleaseStorage.fromSettings(settings.ledger, getCredential),
    schedulerFor: (url) => {
      let scheduler = schedulers.get(url);
      if (!scheduler) {
        scheduler = new RequestScheduler({ maxInFlight: settings.maxInFlight });
        schedulers.set(url, scheduler);
      }
      return scheduler;
    },
  };
}
