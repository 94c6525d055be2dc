// I/O: the Secrets API 2.0 calls of DatabricksWorkspaceClient, one HTTP call each, closed over the client's
// transport (https://docs.databricks.com/api/azure/workspace/secrets).
// No call here reads a secret value: secrets/list answers keys and `last_updated_timestamp` only, and
// secrets/get "can only be called from the DBUtils interface". putSecret is the one call that carries a value:
// the transport never logs or reports request bodies, and its errors carry the server's answer, never the body.
import type { DatabricksOperationOptions } from './DatabricksClientOptions';
import type { DatabricksTransport } from './DatabricksTransport';

export interface SecretScopeInfo {
  name: string;
  /** DATABRICKS or AZURE_KEYVAULT. */
  backend_type?: string;
}

export interface SecretKeyInfo {
  key: string;
  /** Milliseconds since the epoch. */
  last_updated_timestamp?: number;
}

export interface SecretAclInfo {
  principal: string;
  permission: string;
}

export type SecretsApi = ReturnType<typeof secretsApi>;

export function secretsApi(transport: DatabricksTransport) {
  return {
    /** Every scope of the workspace (scopes/list is not paged). */
    async listSecretScopes(options: DatabricksOperationOptions = {}): Promise<SecretScopeInfo[]> {
      const result = await transport.send(
        { method: 'GET', version: '2.0', endpoint: 'secrets/scopes/list', idempotent: true },
        options,
      );
      return Array.isArray(result.scopes) ? (result.scopes as SecretScopeInfo[]) : [];
    },

    /**
     * Creates a Databricks-backed scope. Not repeated after an ambiguous failure: a repeat answers
     * RESOURCE_ALREADY_EXISTS, which the caller reads as done.
     */
    async createSecretScope(scope: string, options: DatabricksOperationOptions = {}): Promise<void> {
      await transport.send(
        {
          method: 'POST',
          version: '2.0',
          endpoint: 'secrets/scopes/create',
          body: { scope, scope_backend_type: 'DATABRICKS' },
          idempotent: false,
        },
        options,
      );
    },

    async deleteSecretScope(scope: string, options: DatabricksOperationOptions = {}): Promise<void> {
      await transport.send(
        {
          method: 'POST',
          version: '2.0',
          endpoint: 'secrets/scopes/delete',
          body: { scope },
          idempotent: true,
        },
        options,
      );
    },

    /** The scope's keys, without values. */
    async listSecrets(scope: string, options: DatabricksOperationOptions = {}): Promise<SecretKeyInfo[]> {
      const result = await transport.send(
        { method: 'GET', version: '2.0', endpoint: 'secrets/list', query: { scope }, idempotent: true },
        options,
      );
      return Array.isArray(result.secrets) ? (result.secrets as SecretKeyInfo[]) : [];
    },

    /** Writes (or overwrites) one secret; repeating it writes the same value again. */
    async putSecret(
      scope: string,
      key: string,
      value: string,
      options: DatabricksOperationOptions = {},
    ): Promise<void> {
      await transport.send(
        {
          method: 'POST',
          version: '2.0',
          endpoint: 'secrets/put',
          body: { scope, key, string_value: value },
          idempotent: true,
        },
        options,
      );
    },

    async deleteSecret(scope: string, key: string, options: DatabricksOperationOptions = {}): Promise<void> {
      await transport.send(
        {
          method: 'POST',
          version: '2.0',
          endpoint: 'secrets/delete',
          body: { scope, key },
          idempotent: true,
        },
        options,
      );
    },

    /** The scope's ACL. The reference's example says `acls`; its response schema (and the SDKs) say `items`. */
    async listSecretAcls(scope: string, options: DatabricksOperationOptions = {}): Promise<SecretAclInfo[]> {
      const result = await transport.send(
        { method: 'GET', version: '2.0', endpoint: 'secrets/acls/list', query: { scope }, idempotent: true },
        options,
      );
      return Array.isArray(result.items) ? (result.items as SecretAclInfo[]) : [];
    },

    /** Creates or overwrites the principal's permission on the scope. */
    async putSecretAcl(
      scope: string,
      principal: string,
      permission: string,
      options: DatabricksOperationOptions = {},
    ): Promise<void> {
      await transport.send(
        {
          method: 'POST',
          version: '2.0',
          endpoint: 'secrets/acls/put',
          body: { scope, principal, permission },
          idempotent: true,
        },
        options,
      );
    },

    async deleteSecretAcl(
      scope: string,
      principal: string,
      options: DatabricksOperationOptions = {},
    ): Promise<void> {
      await transport.send(
        {
          method: 'POST',
          version: '2.0',
          endpoint: 'secrets/acls/delete',
          body: { scope, principal },
          idempotent: true,
        },
        options,
      );
    },
  };
}
