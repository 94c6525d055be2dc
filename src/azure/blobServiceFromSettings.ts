// I/O: the storage account the ledger lives in, which also holds releases (staged bundles, plans) and
// approval decisions; every store is built on the client made here. A connection string when given
// (Azurite, keys), otherwise the blob endpoint with the app's identity (infra/ disables shared keys).
import type { TokenCredential } from '@azure/core-auth';
import { BlobServiceClient } from '@azure/storage-blob';

export function blobServiceFromSettings(
  ledger: { connectionString?: string; blobEndpoint?: string },
  credential: () => TokenCredential,
): BlobServiceClient {
  if (ledger.connectionString) return BlobServiceClient.fromConnectionString(ledger.connectionString);
  return new BlobServiceClient(ledger.blobEndpoint ?? '', credential());
}
