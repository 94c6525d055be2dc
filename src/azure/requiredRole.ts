// Pure: looks up a declared role by name, so error messages and infra/ share one list.
import { REQUIRED_ROLES, type RequiredRole } from './requiredRoles';

export function requiredRole(name: string): RequiredRole {
  const role = REQUIRED_ROLES.find((r) => r.name === name);
  if (!role) throw new Error(`azure: role "${name}" is not declared in requiredRoles.ts`);
  return role;
}
