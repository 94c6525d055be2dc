// I/O: the live state of the bundle's secrets: each scope it names (secrets/list: keys and their
// last_updated_timestamp; secrets/acls/list: principals and permissions; no call returns a value), and the
// current Key Vault version of each secret it copies. Only the scopes the bundle names are read: one
// scopes/list, then two GETs per scope that exists.
import type { BundleSecretVault } from '../../azure/BundleSecretVault';
import type { DatabricksWorkspaceClient } from '../../databricks/DatabricksWorkspaceClient';
import type { Bundle } from '../../manifest/Bundle';
import type { LiveSecretScope, LiveState } from '../../planning/LiveState';
import { mapConcurrent } from './mapConcurrent';

/**
 * `client` undefined: the workspace does not exist yet, so no scope does. `vault` undefined: the environment
 * has no vault (token mode), so `vaultVersions` stays unread and the plan says the secrets are not copied.
 */
export async function readSecretState(
  client: DatabricksWorkspaceClient | undefined,
  bundle: Bundle,
  vault: BundleSecretVault | undefined,
): Promise<Pick<LiveState, 'secretScopes' | 'vaultVersions'>> {
  if (bundle.secrets.length === 0) return {};
  const scopes = [...new Set(bundle.secrets.map((s) => s.scope))].sort();
  const vaultSecrets = [
    ...new Set(bundle.secrets.flatMap((s) => (s.type === 'key' ? [s.vaultSecret] : []))),
  ].sort();
  const [secretScopes, vaultVersions] = await Promise.all([
    readScopes(client, scopes),
    vault ? readVersions(vault, vaultSecrets) : undefined,
  ]);
  return { secretScopes, ...(vaultVersions ? { vaultVersions } : {}) };
}

async function readScopes(
  client: DatabricksWorkspaceClient | undefined,
  scopes: readonly string[],
): Promise<Record<string, LiveSecretScope | null>> {
  const out: Record<string, LiveSecretScope | null> = Object.fromEntries(scopes.map((s) => [s, null]));
  if (!client) return out;
  // Scope names compare without case (secret-scopes: "Secret scope names are case insensitive").
  const existing = new Map((await client.listSecretScopes()).map((s) => [s.name.toLowerCase(), s.name]));
  await mapConcurrent(scopes, 8, async (scope) => {
    const name = existing.get(scope.toLowerCase());
    if (name === undefined) return;
    const [keys, acls] = await Promise.all([client.listSecrets(name), client.listSecretAcls(name)]);
    out[scope] = {
      keys: Object.fromEntries(keys.map((k) => [k.key, k.last_updated_timestamp ?? 0])),
      acls: Object.fromEntries(acls.map((a) => [a.principal, a.permission])),
    };
  });
  return out;
}

/** Versions only: BundleSecretVault.versionOf drops each value where it reads it. */
async function readVersions(
  vault: BundleSecretVault,
  names: readonly string[],
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  await mapConcurrent(names, 8, async (name) => {
    out[name] = await vault.versionOf(name);
  });
  return out;
}
