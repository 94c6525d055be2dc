import { describe, expect, it } from 'vitest';
import { REQUIRED_ROLES, type RequiredRole } from '../../../src/azure/requiredRoles';
import { roleAssignmentCommand } from '../../../src/azure/roleAssignmentCommand';

const principalId = '11111111-2222-3333-4444-555555555555';
const subscriptionId = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';

function role(name: string): RequiredRole {
  const found = REQUIRED_ROLES.find((r) => r.name === name);
  if (!found) throw new Error(`no required role ${name}`);
  return found;
}

describe('roleAssignmentCommand', () => {
  it('grants a built-in role by name on the failing scope, without a Graph lookup', () => {
    const scope = `/subscriptions/${subscriptionId}/resourceGroups/Databricks-MyProject-Dev`;
    expect(roleAssignmentCommand(role('Contributor'), principalId, scope)).toBe(
      `az role assignment create --assignee-object-id ${principalId} --assignee-principal-type ServicePrincipal ` +
        `--role "Contributor" --scope ${scope}`,
    );
  });

  it('names the custom role after the subscription of the scope, as infra/ defines it', () => {
    const scope = `/subscriptions/${subscriptionId}`;
    expect(roleAssignmentCommand(role('Bricklane Resource Group Writer'), principalId, scope)).toContain(
      `--role "Bricklane Resource Group Writer (${subscriptionId})" --scope ${scope}`,
    );
  });

  it('leaves a placeholder when the scope names no subscription', () => {
    expect(roleAssignmentCommand(role('Bricklane Resource Group Writer'), principalId, '/')).toContain(
      '--role "Bricklane Resource Group Writer (<subscriptionId>)"',
    );
  });
});
