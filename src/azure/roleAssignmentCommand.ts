// Pure: a required role that is missing on a scope -> the Azure CLI command that grants it, for error messages.
import type { RequiredRole } from './requiredRoles';

/**
 * @param principalId object id of the Function App's system-assigned identity.
 * @param scope the ARM scope the failed call needed, e.g. `/subscriptions/<id>/resourceGroups/<name>`.
 *
 * `--assignee-object-id` with `--assignee-principal-type` skips the Microsoft Graph lookup, which a
 * managed identity's object id does not need and an operator may not be allowed to make.
 */
export function roleAssignmentCommand(role: RequiredRole, principalId: string, scope: string): string {
  return [
    'az role assignment create',
    `--assignee-object-id ${principalId}`,
    '--assignee-principal-type ServicePrincipal',
    `--role "${roleName(role, scope)}"`,
    `--scope ${scope}`,
  ].join(' ');
}

/** Custom roles are named per subscription (see CustomRequiredRole), and infra/ must have defined them there. */
function roleName(role: RequiredRole, scope: string): string {
  if (role.kind === 'builtIn') return role.name;
  const subscriptionId = /^\/subscriptions\/([^/]+)/i.exec(scope)?.[1] ?? '<subscriptionId>';
  return `${role.name} (${subscriptionId})`;
}
