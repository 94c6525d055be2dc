// Pure: looks up a declared role by name (and scope, for a role declared on several scopes), so error
// messages and infra/ share one list.
import { REQUIRED_ROLES, type RequiredRole, type RoleScope } from './requiredRoles';

export function requiredRole(name: string, scope?: RoleScope): RequiredRole {
  const matches = REQUIRED_ROLES.filter((r) => r.name === name && (scope === undefined || r.scope === scope));
  const [role] = matches;
  if (!role)
    throw new Error(
      `azure: role "${name}"${scope ? ` on ${scope}` : ''} is not declared in requiredRoles.ts`,
    );
  if (matches.length > 1)
    throw new Error(
      `azure: role "${name}" is declared for ${matches.map((r) => r.scope).join(' and ')}; name the scope`,
    );
  return role;
}
