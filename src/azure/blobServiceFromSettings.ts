// I/O: the storage account the ledger lives in, which also holds plans and approval decisions.
// Same rule as LedgerStore.fromSettings: a connection string when given (Azurite, keys), otherwise the
// blob endpoint with the app's identity (infra/ disables shared keys).
import type { TokenCredential } from '@azure/core-auth';
import { BlobServiceClient } from '@azure/storage-blob';

export function blobServiceFromSettings(
  ledger: { connectionString?: string; blobEndpoint?: string },
  credential: () => TokenCredential,
): BlobServiceClient {
  if (ledger.connectionString) return BlobServiceClient.fromConnectionString(ledger.connectionString);
  return new BlobServiceClient(ledger.blobEndpoint ?? '', credential());
}
