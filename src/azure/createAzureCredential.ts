// I/O: the Function App's own Azure identity. In Azure that is its system-assigned managed identity
// (App Service's IDENTITY_ENDPOINT, read by @azure/identity itself); locally, the developer's `az login`.
import { AzureCliCredential, DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
import type { TokenCredential } from '@azure/core-auth';
import type { AzureSettings } from '../config/Settings';

export function createAzureCredential(azure: AzureSettings): TokenCredential {
  switch (azure.credential) {
    case 'managedIdentity':
      return new ManagedIdentityCredential();
    case 'cli':
      return new AzureCliCredential();
    case 'default':
      return new DefaultAzureCredential();
  }
}
