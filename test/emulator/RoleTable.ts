// Test infrastructure: Azure RBAC as the emulator enforces it: role definitions (actions, notActions,
// dataActions with Azure's wildcards) and assignments of a role to a principal at a scope, inherited by
// every scope below. Checking actions rather than role names is what makes "Contributor cannot read secret
// values" and "the custom resource-group role cannot create a workspace" come out as on Azure.
import { REQUIRED_ROLES } from '../../src/azure/requiredRoles';

export interface RoleDefinition {
  name: string;
  /** The GUID (built-in ids are the same in every subscription); custom roles use a made-up one. */
  id: string;
  actions: readonly string[];
  notActions: readonly string[];
  dataActions: readonly string[];
}

export interface RoleAssignment {
  principalId: string;
  roleName: string;
  scope: string;
}

export type ActionKind = 'action' | 'dataAction';

// Trimmed to what the emulator checks; the real definitions list more provider actions.
const keyVaultReaderActions = [
  'Microsoft.Authorization/*/read',
  'Microsoft.Resources/deployments/*',
  'Microsoft.Resources/subscriptions/resourceGroups/read',
  'Microsoft.KeyVault/checkNameAvailability/read',
  'Microsoft.KeyVault/deletedVaults/read',
  'Microsoft.KeyVault/locations/*/read',
  'Microsoft.KeyVault/vaults/*/read',
  'Microsoft.KeyVault/operations/read',
];

const builtInRoles: RoleDefinition[] = [
  {
    name: 'Owner',
    id: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
    actions: ['*'],
    notActions: [],
    dataActions: [],
  },
  {
    name: 'Contributor',
    id: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
    actions: ['*'],
    notActions: [
      'Microsoft.Authorization/*/Delete',
      'Microsoft.Authorization/*/Write',
      'Microsoft.Authorization/elevateAccess/Action',
    ],
    dataActions: [],
  },
  {
    name: 'Reader',
    id: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
    actions: ['*/read'],
    notActions: [],
    dataActions: [],
  },
  {
    name: 'Key Vault Secrets User',
    id: '4633458b-17de-408a-b874-0445c86b69e6',
    actions: [],
    notActions: [],
    dataActions: [
      'Microsoft.KeyVault/vaults/secrets/getSecret/action',
      'Microsoft.KeyVault/vaults/secrets/readMetadata/action',
    ],
  },
  {
    name: 'Key Vault Secrets Officer',
    id: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
    actions: keyVaultReaderActions,
    notActions: [],
    dataActions: ['Microsoft.KeyVault/vaults/secrets/*'],
  },
  {
    name: 'Key Vault Administrator',
    id: '00482a5a-88f4-4ec0-b0d6-f3a8c1d9ad4b',
    actions: keyVaultReaderActions,
    notActions: [],
    dataActions: ['Microsoft.KeyVault/vaults/*'],
  },
];

// The product declares the roles it needs; the emulator knows them all so a test can grant exactly those.
// Storage and monitoring roles grant nothing the emulator checks, but assigning them must not fail.
const requiredRoles: RoleDefinition[] = REQUIRED_ROLES.map((role) => ({
  name: role.name,
  id: role.kind === 'builtIn' ? role.roleDefinitionId : `custom-${role.roleDefinitionSeed}`,
  actions: role.kind === 'custom' ? role.actions : [],
  notActions: [],
  dataActions: [],
}));

const definitions: RoleDefinition[] = [
  ...builtInRoles,
  ...requiredRoles.filter((role) => !builtInRoles.some((builtIn) => builtIn.id === role.id)),
];

export class RoleTable {
  private assignments: RoleAssignment[] = [];

  /** When false every check passes (tests that are not about authorization). */
  constructor(public enabled = true) {}

  static definitions(): readonly RoleDefinition[] {
    return definitions;
  }

  /**
   * `role` is a name ('Contributor'), a per-subscription custom role name ('Bricklane Resource Group Writer
   * (<subscriptionId>)', as infra/ names them), a definition GUID or a full roleDefinitionId path.
   */
  static definition(role: string): RoleDefinition {
    const guid = /([0-9a-z-]+)$/i.exec(role)?.[1]?.toLowerCase();
    const name = role.replace(/\s+\([^)]*\)$/, '').toLowerCase();
    const found = definitions.find(
      (definition) => definition.name.toLowerCase() === name || definition.id.toLowerCase() === guid,
    );
    if (!found) throw new Error(`The emulator knows no role '${role}'`);
    return found;
  }

  assign(principalId: string, role: string, scope: string): RoleAssignment {
    const roleName = RoleTable.definition(role).name;
    const normalizedScope = normalizeScope(scope);
    const existing = this.assignments.find(
      (assignment) =>
        assignment.principalId === principalId &&
        assignment.roleName === roleName &&
        sameScope(assignment.scope, normalizedScope),
    );
    if (existing) return existing;
    const assignment = { principalId, roleName, scope: normalizedScope };
    this.assignments.push(assignment);
    return assignment;
  }

  /** Returns whether an assignment was removed. */
  remove(principalId: string, role: string, scope: string): boolean {
    const roleName = RoleTable.definition(role).name;
    const before = this.assignments.length;
    this.assignments = this.assignments.filter(
      (assignment) =>
        !(
          assignment.principalId === principalId &&
          assignment.roleName === roleName &&
          sameScope(assignment.scope, normalizeScope(scope))
        ),
    );
    return this.assignments.length < before;
  }

  list(principalId?: string): RoleAssignment[] {
    return this.assignments
      .filter((assignment) => principalId === undefined || assignment.principalId === principalId)
      .map((assignment) => ({ ...assignment }));
  }

  /** Whether the principal may perform `action` on `scope` through an assignment at that scope or above. */
  allows(principalId: string, action: string, scope: string, kind: ActionKind = 'action'): boolean {
    if (!this.enabled) return true;
    return this.assignments.some((assignment) => {
      if (assignment.principalId !== principalId || !covers(assignment.scope, scope)) return false;
      const definition = RoleTable.definition(assignment.roleName);
      if (kind === 'dataAction') return definition.dataActions.some((pattern) => matches(pattern, action));
      return (
        definition.actions.some((pattern) => matches(pattern, action)) &&
        !definition.notActions.some((pattern) => matches(pattern, action))
      );
    });
  }

  /**
   * Whether one of the named roles is assigned at that scope or above. Azure Databricks admits a principal
   * for being Contributor or Owner of the workspace, not for holding some action.
   */
  hasRole(principalId: string, roles: readonly string[], scope: string): boolean {
    if (!this.enabled) return true;
    const names = roles.map((role) => RoleTable.definition(role).name);
    return this.assignments.some(
      (assignment) =>
        assignment.principalId === principalId &&
        names.includes(assignment.roleName) &&
        covers(assignment.scope, scope),
    );
  }

  /** ARM's text for a refused action, which product code shows operators. */
  static authorizationFailedMessage(principalId: string, action: string, scope: string): string {
    return (
      `The client '${principalId}' with object id '${principalId}' does not have authorization to perform ` +
      `action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, ` +
      'please refresh your credentials.'
    );
  }

  toJSON(): RoleAssignment[] {
    return this.list();
  }

  restore(assignments: RoleAssignment[]): void {
    this.assignments = assignments.map((assignment) => ({ ...assignment }));
  }
}

function normalizeScope(scope: string): string {
  const trimmed = scope.replace(/\/+$/, '');
  return trimmed.startsWith('/') || trimmed === '' ? trimmed || '/' : `/${trimmed}`;
}

function sameScope(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** ARM ids are case-insensitive; an assignment covers its own scope and every scope below it. */
function covers(assignedScope: string, scope: string): boolean {
  const assigned = normalizeScope(assignedScope).toLowerCase();
  const target = normalizeScope(scope).toLowerCase();
  return assigned === '/' || target === assigned || target.startsWith(`${assigned}/`);
}

/** Azure's action patterns: case-insensitive, `*` matches any run of characters (slashes included). */
function matches(pattern: string, action: string): boolean {
  const regex = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${regex}$`, 'i').test(action);
}
