// Test infrastructure: the Permissions API 2.0 endpoints, `/api/2.0/permissions/{object_type}/{object_id}` with
// GET, PATCH and PUT (https://docs.databricks.com/api/azure/workspace/permissions). The id is part of the path, so
// requests are counted, faulted and routed by `2.0/permissions/<object_type>` (permissionsEndpointOf) and the id is
// read from the URL. The rules are PermissionStore's.
import { ApiError } from './ApiError';
import type { JsonObject } from './JsonValue';
import type { PermissionObjectType } from './PermissionStore';
import type { Route } from './Route';

const TYPES: readonly PermissionObjectType[] = ['jobs', 'clusters', 'cluster-policies', 'directories'];

/** `2.0/permissions/jobs` for `/api/2.0/permissions/jobs/123`; undefined for any other path. */
export function permissionsEndpointOf(pathname: string): string | undefined {
  const match = /^\/api\/(2\.0\/permissions\/([^/]+))\/[^/]+$/.exec(pathname);
  return match && TYPES.includes(match[2] as PermissionObjectType) ? match[1] : undefined;
}

function routeOf(type: PermissionObjectType): Route {
  return {
    method: 'GET',
    methods: ['GET', 'PATCH', 'PUT'],
    handle() {
      throw new ApiError(400, 'INVALID_PARAMETER_VALUE', 'the object id belongs in the path');
    },
    handleRaw(workspace, method, url, body) {
      const id = decodeURIComponent(url.pathname.split('/').at(-1) ?? '');
      if (method === 'GET') return { status: 200, json: workspace.permissions.get(type, id) };
      let request: unknown;
      try {
        request = JSON.parse(body.toString('utf8') || '{}');
      } catch {
        throw ApiError.invalidParameter('the request body is not JSON');
      }
      if (request === null || typeof request !== 'object' || Array.isArray(request)) {
        throw ApiError.invalidParameter('the request body must be a JSON object');
      }
      const json =
        method === 'PATCH'
          ? workspace.permissions.update(type, id, request as JsonObject)
          : workspace.permissions.set(type, id, request as JsonObject);
      return { status: 200, json };
    },
  };
}

export const permissionRoutes: Record<string, Route> = Object.fromEntries(
  TYPES.map((type) => [`2.0/permissions/${type}`, routeOf(type)]),
);
