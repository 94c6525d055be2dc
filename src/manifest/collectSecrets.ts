// Pure: secret scopes from `secrets/*.json`: for each scope, the Databricks secret keys and the Key Vault secret
// of the environment each is copied from, and the scope's ACLs. A bundle names secrets; it never carries a
// value, so a field that looks like one is refused.
//
//   { "scope": "app", "keys": { "<databricks key>": "<key vault secret name>" },
//     "acls": [{ "principal": "data-engineers", "permission": "READ" }] }
//
// `keys` is an object because the two names follow different rules (a Databricks key may hold `_` and `.`, a
// Key Vault name may not), so the mapping is spelled out for each key, as dbutils.secrets.get(scope, key) reads it.
// Name rules:
// - scope: "alphanumeric characters, dashes, underscores, @, and periods, and may not exceed 128 characters"
//   (https://learn.microsoft.com/azure/databricks/security/secrets/secret-scopes); scope names are compared
//   without case there, so two files may not differ only in case.
// - key: "alphanumeric characters, dashes, underscores, and periods, and cannot exceed 128 characters"; at most
//   1000 secrets per scope (https://docs.databricks.com/api/azure/workspace/secrets/putsecret).
// - Key Vault secret: 1-127 characters, 0-9, a-z, A-Z and - only
//   (https://learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates#object-identifiers).
// - ACL permission: READ, WRITE or MANAGE (https://docs.databricks.com/api/azure/workspace/secrets/putacl).
import type { BundleFile, Diagnostic, SecretAcl, SecretItem, SecretPermission } from './Bundle';
import { jsonPath } from './jsonPath';
import { malformedJsonDiagnostic } from './malformedJsonDiagnostic';
import { sha256OfJson } from './sha256OfJson';

export const SCOPE_NAME = /^[A-Za-z0-9_.@-]{1,128}$/;
export const SECRET_KEY_NAME = /^[A-Za-z0-9_.-]{1,128}$/;
export const VAULT_SECRET_NAME = /^[0-9A-Za-z-]{1,127}$/;
export const SECRET_PERMISSIONS: readonly SecretPermission[] = ['READ', 'WRITE', 'MANAGE'];
/** "The maximum number of secrets in a given scope is 1000" (secrets/put). */
export const MAX_SECRETS_PER_SCOPE = 1000;

/**
 * The secrets bricklane itself signs in with (readServicePrincipalSecrets): copying them into a scope would hand
 * the deployer's credential to everyone who may read the scope.
 */
const DEPLOYER_SECRETS = /^databricks-dev-ops-(subscription-id|tenant-id|client-id|client-secret)$/i;
const FIELDS = ['scope', 'keys', 'acls', 'comment'];
const VALUE_FIELDS = /^(value|values|string_value|bytes_value|secret|password)$/i;

export interface CollectedSecrets {
  /** Each scope item followed by its key items, sorted by key. */
  secrets: SecretItem[];
  diagnostics: Diagnostic[];
}

export function collectSecrets(files: readonly BundleFile[]): CollectedSecrets {
  const out: CollectedSecrets = { secrets: [], diagnostics: [] };
  const firstFile = new Map<string, string>();
  for (const file of files) {
    const items = readScope(file, out.diagnostics);
    const scope = items[0]?.scope;
    if (scope === undefined) continue;
    const earlier = firstFile.get(scope.toLowerCase());
    if (earlier !== undefined) {
      out.diagnostics.push({
        severity: 'error',
        code: 'SECRET_SCOPE_DUPLICATE',
        file: file.path,
        path: '$.scope',
        summary: `Secret scope ${JSON.stringify(scope)} is declared by both ${earlier} and ${file.path} (scope names do not differ by case); declare each scope in one file.`,
      });
      continue;
    }
    firstFile.set(scope.toLowerCase(), file.path);
    out.secrets.push(...items);
  }
  out.secrets.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return out;
}

function readScope(file: BundleFile, diagnostics: Diagnostic[]): SecretItem[] {
  if (file.json === undefined) return [];
  if (!file.json.ok) {
    diagnostics.push(malformedJsonDiagnostic(file.path, file.json));
    return [];
  }
  let valid = true;
  const fail = (path: readonly PropertyKey[], code: string, summary: string): void => {
    valid = false;
    diagnostics.push({ severity: 'error', code, file: file.path, path: jsonPath(path), summary });
  };
  const raw = file.json.value;
  if (!isObject(raw)) {
    fail([], 'SECRET_SCOPE_INVALID', `${file.path} must hold one JSON object: { "scope", "keys", "acls" }.`);
    return [];
  }
  for (const field of Object.keys(raw).filter((f) => !FIELDS.includes(f))) {
    if (VALUE_FIELDS.test(field)) {
      fail(
        [field],
        'SECRET_VALUE_IN_BUNDLE',
        `"${field}" looks like a secret value: a bundle names secrets and never holds one (it is in git and in every staged copy). Put the value in the environment's Key Vault and name that secret under "keys".`,
      );
    } else {
      fail(
        [field],
        'SECRET_SCOPE_FIELD_UNKNOWN',
        `Unknown field "${field}"; a secrets file has ${FIELDS.join(', ')}.`,
      );
    }
  }
  const scope = raw['scope'];
  if (typeof scope !== 'string' || !SCOPE_NAME.test(scope)) {
    fail(
      ['scope'],
      'SECRET_SCOPE_NAME',
      `"scope" must be a secret scope name: 1-128 letters, digits, dashes, underscores, @ and periods${typeof scope === 'string' ? `, got ${JSON.stringify(scope)}` : ''}.`,
    );
  }
  const keys = readKeys(raw['keys'], fail);
  const acls = readAcls(raw['acls'], fail);
  if (!valid || typeof scope !== 'string') return [];
  const sorted = [...acls].sort((a, b) =>
    a.principal < b.principal ? -1 : a.principal > b.principal ? 1 : 0,
  );
  return [
    {
      type: 'scope',
      key: `secrets.${scope}`,
      scope,
      source: file.path,
      acls: sorted,
      sha256: sha256OfJson(sorted),
    },
    ...keys.map(([name, vaultSecret]): SecretItem => ({
      type: 'key',
      key: `secrets.${scope}/${name}`,
      scope,
      name,
      vaultSecret,
      source: file.path,
    })),
  ];
}

type Fail = (path: readonly PropertyKey[], code: string, summary: string) => void;

function readKeys(keys: unknown, fail: Fail): [string, string][] {
  if (keys === undefined) return [];
  if (!isObject(keys)) {
    fail(
      ['keys'],
      'SECRET_KEYS_INVALID',
      '"keys" must be an object from each Databricks secret key to the Key Vault secret it is copied from, e.g. { "db-password": "etl-db-password" }.',
    );
    return [];
  }
  const entries = Object.entries(keys);
  if (entries.length > MAX_SECRETS_PER_SCOPE) {
    fail(
      ['keys'],
      'SECRET_KEYS_TOO_MANY',
      `${entries.length} keys: a scope holds at most ${MAX_SECRETS_PER_SCOPE} secrets (secrets/put); split them over several scopes.`,
    );
  }
  const out: [string, string][] = [];
  for (const [name, vaultSecret] of entries) {
    let ok = true;
    if (!SECRET_KEY_NAME.test(name)) {
      ok = false;
      fail(
        ['keys', name],
        'SECRET_KEY_NAME',
        `Secret key ${JSON.stringify(name)} is not a valid key: 1-128 letters, digits, dashes, underscores and periods.`,
      );
    }
    if (typeof vaultSecret !== 'string' || !VAULT_SECRET_NAME.test(vaultSecret)) {
      ok = false;
      fail(
        ['keys', name],
        'SECRET_VAULT_NAME',
        `The value of key ${JSON.stringify(name)} must name a Key Vault secret (1-127 letters, digits and dashes)${typeof vaultSecret === 'string' ? `, got a string that is not one (not shown: it may be a value)` : ''}; the bundle names the secret, the value stays in Key Vault.`,
      );
    } else if (DEPLOYER_SECRETS.test(vaultSecret)) {
      ok = false;
      fail(
        ['keys', name],
        'SECRET_DEPLOYER_CREDENTIAL',
        `${vaultSecret} is the credential bricklane deploys with; copying it into a scope would hand it to everyone who may read the scope. Copy a secret made for the notebooks instead.`,
      );
    }
    if (ok && typeof vaultSecret === 'string') out.push([name, vaultSecret]);
  }
  return out;
}

function readAcls(acls: unknown, fail: Fail): SecretAcl[] {
  if (acls === undefined) return [];
  if (!Array.isArray(acls)) {
    fail(['acls'], 'SECRET_ACLS_INVALID', '"acls" must be a list of { "principal", "permission" } entries.');
    return [];
  }
  const out: SecretAcl[] = [];
  const seen = new Set<string>();
  acls.forEach((entry: unknown, i) => {
    const principal = isObject(entry) ? entry['principal'] : undefined;
    const permission = isObject(entry) ? entry['permission'] : undefined;
    if (typeof principal !== 'string' || principal.trim() === '') {
      fail(
        ['acls', i, 'principal'],
        'SECRET_ACL_PRINCIPAL',
        '"principal" must be the user name, group name or service principal application id the permission is for.',
      );
      return;
    }
    if (!SECRET_PERMISSIONS.includes(permission as SecretPermission)) {
      fail(
        ['acls', i, 'permission'],
        'SECRET_ACL_PERMISSION',
        `"permission" must be one of ${SECRET_PERMISSIONS.join(', ')}${permission === undefined ? '' : `, got ${JSON.stringify(permission)}`}.`,
      );
      return;
    }
    if (seen.has(principal.toLowerCase())) {
      fail(
        ['acls', i, 'principal'],
        'SECRET_ACL_DUPLICATE',
        `${JSON.stringify(principal)} has more than one entry; a scope holds one permission per principal (acls/put overwrites).`,
      );
      return;
    }
    seen.add(principal.toLowerCase());
    out.push({ principal, permission: permission as SecretPermission });
  });
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
