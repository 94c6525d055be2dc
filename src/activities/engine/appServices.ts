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

let services: AppServices | undefined;

export function appServices(): AppServices {
  if (services) return services;
  const settings = loadSettings(process.env);
  let credential: TokenCredential | undefined;
  const getCredential = (): TokenCredential => (credential ??= createAzureCredential(settings.azure));
  const schedulers = new Map<string, RequestScheduler>();
  services = {
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
  return services;
}

/** Tests and the sandbox change settings between runs in one process. */
export function resetAppServices(): void {
  services = undefined;
}
