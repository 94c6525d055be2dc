// Pure: a call refused for want of an Azure role, with the command that grants it.
import type { RequiredRole } from './requiredRoles';
import { roleAssignmentCommand } from './roleAssignmentCommand';

export class AzureAccessError extends Error {
  readonly code = 'AuthorizationFailed';
  /** The command that grants the role. */
  readonly fix: string;
  constructor(
    readonly principalId: string,
    readonly scope: string,
    readonly role: RequiredRole,
    action: string,
  ) {
    const fix = roleAssignmentCommand(role, principalId, scope);
    super(
      `azure: identity ${principalId} may not ${action} on ${scope}: it needs the role "${role.name}" there ` +
        `(${role.why}). Grant it with: ${fix}`,
    );
    this.name = 'AzureAccessError';
    this.fix = fix;
  }
}
