// Test infrastructure: the secrets tests' bundle (one scope, one key copied from Key Vault, one ACL entry),
// and what they scan and compare: every blob of the world's storage as text, and a vault secret's version.
import { BlobServiceClient } from '@azure/storage-blob';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalWorld } from '../sandbox/LocalWorld';

/** A bundle folder whose secrets/app.json copies `etl-db-password` into scope `app` as `db-password`. */
export function writeSecretsBundle(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bricklane-secrets-'));
  mkdirSync(join(dir, 'secrets'));
  writeFileSync(
    join(dir, 'secrets', 'app.json'),
    JSON.stringify({
      scope: 'app',
      keys: { 'db-password': 'etl-db-password' },
      acls: [{ principal: 'data-engineers', permission: 'READ' }],
    }),
  );
  return dir;
}

/** Every blob of the storage account (ledger, stored plans, claims, staged bundles), as text. */
export async function allBlobsText(world: LocalWorld): Promise<{ text: string; count: number }> {
  const service = BlobServiceClient.fromConnectionString(world.azurite.connectionString);
  let text = '';
  let count = 0;
  for await (const container of service.listContainers()) {
    const client = service.getContainerClient(container.name);
    for await (const blob of client.listBlobsFlat()) {
      text += (await client.getBlobClient(blob.name).downloadToBuffer()).toString('latin1');
      count += 1;
    }
  }
  return { text, count };
}

/** The current version id of a secret in an emulated vault. */
export function latestVaultVersion(world: LocalWorld, vault: string, name: string): string | undefined {
  return world.azure
    .vault(vault)
    .toJSON()
    .find((s) => s.name === name)
    ?.versions.at(-1)?.version;
}
