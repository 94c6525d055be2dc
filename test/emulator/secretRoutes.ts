// Test infrastructure: the Secrets API 2.0 endpoints (https://docs.databricks.com/api/azure/workspace/secrets);
// the rules are SecretStore's. secrets/get is not served: the reference says it "can only be called from the
// DBUtils interface", and no bricklane call reads a value back.
import type { JsonObject } from './JsonValue';
import type { Route } from './Route';

export const secretRoutes: Record<string, Route> = {
  '2.0/secrets/scopes/create': {
    method: 'POST',
    handle(workspace, request) {
      workspace.secrets.createScope(request.value('scope'), request.value('scope_backend_type'));
      return {};
    },
  },
  '2.0/secrets/scopes/delete': {
    method: 'POST',
    handle(workspace, request) {
      workspace.secrets.deleteScope(request.string('scope'));
      return {};
    },
  },
  '2.0/secrets/scopes/list': {
    method: 'GET',
    handle(workspace) {
      const scopes = workspace.secrets.listScopes();
      return listOrEmpty('scopes', scopes);
    },
  },
  '2.0/secrets/put': {
    method: 'POST',
    handle(workspace, request) {
      workspace.secrets.put(
        request.string('scope'),
        request.value('key'),
        request.value('string_value'),
        request.value('bytes_value'),
      );
      return {};
    },
  },
  '2.0/secrets/delete': {
    method: 'POST',
    handle(workspace, request) {
      workspace.secrets.deleteSecret(request.string('scope'), request.string('key'));
      return {};
    },
  },
  '2.0/secrets/list': {
    method: 'GET',
    handle(workspace, request) {
      const secrets = workspace.secrets.list(request.string('scope'));
      return listOrEmpty('secrets', secrets);
    },
  },
  '2.0/secrets/acls/put': {
    method: 'POST',
    handle(workspace, request) {
      workspace.secrets.putAcl(
        request.string('scope'),
        request.value('principal'),
        request.value('permission'),
      );
      return {};
    },
  },
  '2.0/secrets/acls/delete': {
    method: 'POST',
    handle(workspace, request) {
      workspace.secrets.deleteAcl(request.string('scope'), request.string('principal'));
      return {};
    },
  },
  '2.0/secrets/acls/list': {
    method: 'GET',
    handle(workspace, request) {
      const items = workspace.secrets.listAcls(request.string('scope'));
      return listOrEmpty('items', items);
    },
  },
};

/** Like the real API, an empty list is left out of the answer. */
function listOrEmpty(field: string, items: readonly object[]): JsonObject {
  return items.length > 0 ? ({ [field]: items } as JsonObject) : {};
}
