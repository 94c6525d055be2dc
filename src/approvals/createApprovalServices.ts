// I/O: what the approval functions need, built once per cold start from app settings.
import type { TokenCredential } from '@azure/core-auth';
import type { BlobServiceClient } from '@azure/storage-blob';
import { loadSettings } from '../config/loadSettings';
import type { AzureSettings, Settings } from '../config/Settings';
import { blobServiceFromSettings } from './blobServiceFromSettings';
import { DecisionStore } from './DecisionStore';

export interface ApprovalServices {
  settings: Settings;
  decisions: DecisionStore;
  /** The ledger's storage account: plans (bricklane-releases) and decisions (bricklane-approvals). */
  blobService: BlobServiceClient;
  /**
   * App Service Authentication is enabled, so identity headers come from the platform. The platform sets
   * WEBSITE_AUTH_ENABLED, and the Functions host reads the same variable to detect Easy Auth.
   */
  easyAuthEnabled: boolean;
}

/** Throws SettingsError (every problem at once) when the app settings are invalid. */
export function createApprovalServices(
  values: Readonly<Record<string, string | undefined>>,
  credential: (azure: AzureSettings) => TokenCredential,
): ApprovalServices {
  const settings = loadSettings(values);
  const blobService = blobServiceFromSettings(settings.ledger, () => credential(settings.azure));
  return {
    settings,
    decisions: new DecisionStore(blobService),
    blobService,
    easyAuthEnabled: (values.WEBSITE_AUTH_ENABLED ?? '').trim().toLowerCase() === 'true',
  };
}
