// Pure: the Azure roles the Function App's system-assigned identity needs, per scope. infra/ grants exactly
// these (checked by test/unit/infra/requiredRoles.test.ts), and error messages name them.
// Built-in role ids: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles

/**
 * Where a role is assigned.
 * - `environmentSubscription`: the subscription of a bricklane environment.
 * - `environmentResourceGroup`: the resource group of a bricklane environment. infra/ creates it (empty)
 *   so that it can be granted on; a role cannot be assigned on a scope that does not exist yet.
 * - `appStorage`: the Function App's own storage account (AzureWebJobsStorage, bundles, ledger).
 * - `appInsights`: the Function App's Application Insights component.
 * - `appKeyVault`: the Function App's own Key Vault (the approval signing keys, read through a Key Vault
 *   reference in BRICKLANE_APPROVAL_SIGNING_KEYS).
 *
 * A role may be declared for several scopes (Key Vault Secrets User is); name and scope identify a role:
 * requiredRole(name, scope) names the scope of such a role; without one it refuses to guess.
 */
export type RoleScope =
  'environmentSubscription' | 'environmentResourceGroup' | 'appStorage' | 'appInsights' | 'appKeyVault';

interface RequiredRoleBase {
  /** The role's name as `az role assignment create --role` takes it (custom roles: see `roleName`). */
  readonly name: string;
  readonly scope: RoleScope;
  /** What bricklane does that needs it; shown in remediation messages. */
  readonly why: string;
}

export interface BuiltInRequiredRole extends RequiredRoleBase {
  readonly kind: 'builtIn';
  /** The built-in role definition's GUID (the same in every subscription). */
  readonly roleDefinitionId: string;
}

/**
 * A custom role that infra/ defines once per environment subscription. Its definition id is
 * `guid(subscription().id, roleDefinitionSeed)` in Bicep, and its name is `<name> (<subscriptionId>)`
 * because custom role names must be unique in the whole tenant.
 */
export interface CustomRequiredRole extends RequiredRoleBase {
  readonly kind: 'custom';
  readonly roleDefinitionSeed: string;
  readonly actions: readonly string[];
}

export type RequiredRole = BuiltInRequiredRole | CustomRequiredRole;

export const REQUIRED_ROLES: readonly RequiredRole[] = [
  {
    kind: 'custom',
    name: 'Bricklane Resource Group Writer',
    roleDefinitionSeed: 'bricklane-resource-group-writer',
    actions: [
      'Microsoft.Resources/subscriptions/resourceGroups/read',
      'Microsoft.Resources/subscriptions/resourceGroups/write',
    ],
    scope: 'environmentSubscription',
    why:
      'to find out whether an environment resource group exists and to create it when missing; ' +
      'Contributor on the whole subscription would be far more than that',
  },
  {
    kind: 'builtIn',
    name: 'Contributor',
    roleDefinitionId: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
    scope: 'environmentResourceGroup',
    why:
      'to create the Databricks workspace and the Key Vault in the environment resource group; as a ' +
      'Contributor of the workspace the identity can also sign in to it as a workspace admin',
  },
  {
    kind: 'builtIn',
    name: 'Key Vault Secrets User',
    roleDefinitionId: '4633458b-17de-408a-b874-0445c86b69e6',
    scope: 'environmentResourceGroup',
    why:
      "to read the environment's Key Vault secrets (Contributor does not include secret values); " +
      'granted on the resource group so that it covers vaults created later, which must use Azure RBAC',
  },
  {
    kind: 'builtIn',
    name: 'Storage Blob Data Owner',
    roleDefinitionId: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
    scope: 'appStorage',
    why:
      'for identity-based AzureWebJobsStorage (host leases, Durable Functions payloads), the Flex ' +
      'Consumption deployment package, uploaded bundles and the ledger',
  },
  {
    kind: 'builtIn',
    name: 'Storage Queue Data Contributor',
    roleDefinitionId: '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
    scope: 'appStorage',
    why: 'for the Durable Functions control and work-item queues',
  },
  {
    kind: 'builtIn',
    name: 'Storage Table Data Contributor',
    roleDefinitionId: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
    scope: 'appStorage',
    why: 'for the Durable Functions history and instance tables',
  },
  {
    kind: 'builtIn',
    name: 'Monitoring Metrics Publisher',
    roleDefinitionId: '3913510d-42f4-4e42-8a64-420c390055eb',
    scope: 'appInsights',
    why: 'to send telemetry to Application Insights with Entra authentication (local auth is disabled)',
  },
  {
    kind: 'builtIn',
    name: 'Key Vault Secrets User',
    roleDefinitionId: '4633458b-17de-408a-b874-0445c86b69e6',
    scope: 'appKeyVault',
    why:
      'to resolve the Key Vault reference of BRICKLANE_APPROVAL_SIGNING_KEYS: App Service reads the secret with ' +
      "the app's identity (https://learn.microsoft.com/azure/app-service/app-service-key-vault-references)",
  },
];
