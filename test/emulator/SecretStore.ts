// Test infrastructure: the secret scopes of one emulated workspace (Secrets API 2.0,
// https://docs.databricks.com/api/azure/workspace/secrets), with the rules the reference states:
// - scope names: "alphanumeric characters, dashes, underscores, @, and periods, and may not exceed 128 characters",
//   compared without case (secret-scopes); at most 1000 scopes per workspace; RESOURCE_ALREADY_EXISTS on a
//   second create; only DATABRICKS-backed scopes can be created here (an AZURE_KEYVAULT scope needs a user's
//   Entra ID token: the service refuses it with "Scope with Azure KeyVault must have userAADToken defined!").
// - keys: "alphanumeric characters, dashes, underscores, and periods, and cannot exceed 128 characters"; "the
//   maximum allowed secret value size is 128 KB"; "the maximum number of secrets in a given scope is 1000";
//   exactly one of string_value and bytes_value.
// - secrets/list answers keys and last_updated_timestamp, never values; secrets/get "can only be called from the
//   DBUtils interface" and is not served here (tests read values with `value()`).
// - ACL permissions READ, WRITE, MANAGE; acls/put "creates or overwrites"; a new scope gives its creator MANAGE.
// - RESOURCE_DOES_NOT_EXIST for a scope, key or ACL that is not there.
import { ApiError } from './ApiError';

export const MAX_SCOPES = 1000;
export const MAX_SECRETS_PER_SCOPE = 1000;
export const MAX_SECRET_VALUE_BYTES = 128 * 1024;
const SCOPE_NAME = /^[A-Za-z0-9_.@-]{1,128}$/;
const KEY_NAME = /^[A-Za-z0-9_.-]{1,128}$/;
const PERMISSIONS = ['READ', 'WRITE', 'MANAGE'];

interface StoredSecret {
  value: Buffer;
  lastUpdated: number;
}

interface StoredScope {
  name: string;
  secrets: Map<string, StoredSecret>;
  acls: Map<string, string>;
}

export interface SavedSecretScope {
  name: string;
  secrets: { key: string; value: string; lastUpdated: number }[];
  acls: { principal: string; permission: string }[];
}

export class SecretStore {
  private readonly scopes = new Map<string, StoredScope>();

  constructor(
    private readonly now: () => number,
    private readonly creator: string,
  ) {}

  createScope(name: unknown, backendType: unknown): void {
    if (typeof name !== 'string' || !SCOPE_NAME.test(name)) {
      throw ApiError.invalidParameter(
        `Scope name must consist of alphanumeric characters, dashes, underscores, @, and periods, and may not exceed 128 characters.`,
      );
    }
    if (backendType !== undefined && String(backendType).toUpperCase() !== 'DATABRICKS') {
      throw ApiError.invalidParameter('Scope with Azure KeyVault must have userAADToken defined!');
    }
    if (this.scopes.has(name.toLowerCase())) throw ApiError.alreadyExists(`Scope ${name} already exists!`);
    if (this.scopes.size >= MAX_SCOPES) {
      throw new ApiError(400, 'RESOURCE_LIMIT_EXCEEDED', `Maximum number of scopes (${MAX_SCOPES}) reached.`);
    }
    this.scopes.set(name.toLowerCase(), {
      name,
      secrets: new Map(),
      acls: new Map([[this.creator, 'MANAGE']]),
    });
  }

  deleteScope(name: string): void {
    this.scope(name);
    this.scopes.delete(name.toLowerCase());
  }

  listScopes(): { name: string; backend_type: string }[] {
    return [...this.scopes.values()].map((s) => ({ name: s.name, backend_type: 'DATABRICKS' }));
  }

  /** The answer never carries a value or its length: the server's message names the key only. */
  put(scope: string, key: unknown, stringValue: unknown, bytesValue: unknown): void {
    const stored = this.scope(scope);
    if (typeof key !== 'string' || !KEY_NAME.test(key)) {
      throw ApiError.invalidParameter(
        'Secret key must consist of alphanumeric characters, dashes, underscores, and periods, and cannot exceed 128 characters.',
      );
    }
    if ((stringValue === undefined) === (bytesValue === undefined)) {
      throw ApiError.invalidParameter('Exactly one of string_value and bytes_value must be specified.');
    }
    const value =
      typeof stringValue === 'string'
        ? Buffer.from(stringValue, 'utf8')
        : typeof bytesValue === 'string'
          ? Buffer.from(bytesValue, 'base64')
          : undefined;
    if (!value) throw ApiError.invalidParameter(`The value of secret ${key} must be a string.`);
    if (value.length > MAX_SECRET_VALUE_BYTES) {
      throw ApiError.invalidParameter(
        `Secret ${key} is larger than the maximum allowed secret value size of 128 KB.`,
      );
    }
    if (!stored.secrets.has(key) && stored.secrets.size >= MAX_SECRETS_PER_SCOPE) {
      throw new ApiError(
        400,
        'RESOURCE_LIMIT_EXCEEDED',
        `Scope ${stored.name} already holds the maximum of ${MAX_SECRETS_PER_SCOPE} secrets.`,
      );
    }
    stored.secrets.set(key, { value, lastUpdated: this.now() });
  }

  deleteSecret(scope: string, key: string): void {
    const stored = this.scope(scope);
    if (!stored.secrets.delete(key))
      throw ApiError.doesNotExist(`Secret ${key} does not exist in scope ${stored.name}.`);
  }

  list(scope: string): { key: string; last_updated_timestamp: number }[] {
    return [...this.scope(scope).secrets.entries()].map(([key, s]) => ({
      key,
      last_updated_timestamp: s.lastUpdated,
    }));
  }

  putAcl(scope: string, principal: unknown, permission: unknown): void {
    const stored = this.scope(scope);
    if (typeof principal !== 'string' || principal.trim() === '') {
      throw ApiError.invalidParameter('principal must be a user or group name.');
    }
    if (typeof permission !== 'string' || !PERMISSIONS.includes(permission)) {
      throw ApiError.invalidParameter(`permission must be one of ${PERMISSIONS.join(', ')}.`);
    }
    stored.acls.set(principal, permission);
  }

  deleteAcl(scope: string, principal: string): void {
    const stored = this.scope(scope);
    if (!stored.acls.delete(principal))
      throw ApiError.doesNotExist(`No ACL for ${principal} on scope ${stored.name}.`);
  }

  listAcls(scope: string): { principal: string; permission: string }[] {
    return [...this.scope(scope).acls.entries()].map(([principal, permission]) => ({
      principal,
      permission,
    }));
  }

  /** Tests only: the stored value (what dbutils.secrets.get would return on a cluster). */
  value(scope: string, key: string): string | undefined {
    return this.scopes.get(scope.toLowerCase())?.secrets.get(key)?.value.toString('utf8');
  }

  toJSON(): SavedSecretScope[] {
    return [...this.scopes.values()].map((s) => ({
      name: s.name,
      secrets: [...s.secrets.entries()].map(([key, v]) => ({
        key,
        value: v.value.toString('base64'),
        lastUpdated: v.lastUpdated,
      })),
      acls: [...s.acls.entries()].map(([principal, permission]) => ({ principal, permission })),
    }));
  }

  /** `saved` is absent in worlds saved before secrets were modelled. */
  restore(saved: SavedSecretScope[] | undefined): void {
    this.scopes.clear();
    for (const s of saved ?? []) {
      this.scopes.set(s.name.toLowerCase(), {
        name: s.name,
        secrets: new Map(
          s.secrets.map((v) => [
            v.key,
            { value: Buffer.from(v.value, 'base64'), lastUpdated: v.lastUpdated },
          ]),
        ),
        acls: new Map(s.acls.map((a) => [a.principal, a.permission])),
      });
    }
  }

  private scope(name: string): StoredScope {
    const found = this.scopes.get(name.toLowerCase());
    if (!found) throw ApiError.doesNotExist(`Scope ${name} does not exist!`);
    return found;
  }
}
