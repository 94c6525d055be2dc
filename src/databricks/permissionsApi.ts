// I/O: the Permissions API 2.0 calls of DatabricksWorkspaceClient, one HTTP call each, closed over the client's
// transport (https://docs.databricks.com/api/azure/workspace/permissions). GET reads an object's access-control
// list; PATCH adds or updates the entries it names and leaves the others; PUT replaces the direct entries
// with the ones it names. Both answer with the object's whole list. Both are safe to repeat: the same body
// sets the same entries.
import type { DatabricksOperationOptions } from './DatabricksClientOptions';
import type { DatabricksTransport } from './DatabricksTransport';

/** The object types bricklane sets permissions on, as the path spells them. */
export type PermissionObjectType = 'jobs' | 'clusters' | 'cluster-policies' | 'directories';

/** One entry of a request's `access_control_list`: exactly one principal field and a level. */
export interface AccessControlRequest {
  user_name?: string;
  group_name?: string;
  service_principal_name?: string;
  permission_level: string;
}

/** One principal of an answer's `access_control_list`, with every level it holds and where each comes from. */
export interface AccessControlResponse {
  user_name?: string;
  group_name?: string;
  service_principal_name?: string;
  display_name?: string;
  all_permissions?: { permission_level?: string; inherited?: boolean; inherited_from_object?: string[] }[];
}

export interface ObjectPermissions {
  object_id?: string;
  object_type?: string;
  access_control_list: AccessControlResponse[];
}

export type PermissionsApi = ReturnType<typeof permissionsApi>;

export function permissionsApi(transport: DatabricksTransport) {
  const call = async (
    method: 'GET' | 'PATCH' | 'PUT',
    objectType: PermissionObjectType,
    objectId: string,
    acl: readonly AccessControlRequest[] | undefined,
    options: DatabricksOperationOptions,
  ): Promise<ObjectPermissions> => {
    const result = await transport.send(
      {
        method,
        version: '2.0',
        endpoint: `permissions/${objectType}/${encodeURIComponent(objectId)}`,
        ...(acl ? { body: { access_control_list: acl.map((e) => ({ ...e })) } } : {}),
        idempotent: true,
      },
      options,
    );
    const list = Array.isArray(result.access_control_list)
      ? (result.access_control_list as AccessControlResponse[])
      : [];
    return { ...result, access_control_list: list } as ObjectPermissions;
  };
  const write =
    (method: 'PATCH' | 'PUT') =>
    (
      objectType: PermissionObjectType,
      objectId: string,
      acl: readonly AccessControlRequest[],
      options: DatabricksOperationOptions = {},
    ): Promise<ObjectPermissions> =>
      call(method, objectType, objectId, acl, options);
  return {
    /** The object's access-control list, inherited entries included. */
    getPermissions(
      objectType: PermissionObjectType,
      objectId: string,
      options: DatabricksOperationOptions = {},
    ) {
      return call('GET', objectType, objectId, undefined, options);
    },
    /** Adds or updates the named entries (PATCH); entries it does not name stay. */
    updatePermissions: write('PATCH'),
    /** Replaces the object's direct entries with the named ones (PUT). */
    setPermissions: write('PUT'),
  };
}
