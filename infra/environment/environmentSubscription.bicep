// Grants on an environment subscription: REQUIRED_ROLES with scope environmentSubscription
// (src/azure/requiredRoles.ts). Deployed once per distinct subscription by main.bicep.
//
// The app creates a missing environment resource group, which is a write on the subscription. Contributor
// there would also let it change every resource in the subscription, so a custom role allows only reading
// and writing resource groups. Register the resource providers (Microsoft.Databricks, Microsoft.KeyVault)
// once per subscription yourself: this role cannot register them.
targetScope = 'subscription'

@description('Object id of the Function App\'s system-assigned identity.')
param principalId string

// Custom role names are unique in the tenant, and environments can live in several subscriptions of one
// tenant: hence one definition per subscription, named after it. Its id depends only on the subscription,
// so several bricklane installations share it rather than collide.
resource resourceGroupWriter 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(subscription().id, 'bricklane-resource-group-writer')
  properties: {
    roleName: 'Bricklane Resource Group Writer (${subscription().subscriptionId})'
    description: 'Read and create resource groups (bricklane creates missing environment resource groups).'
    type: 'CustomRole'
    permissions: [
      {
        actions: [
          'Microsoft.Resources/subscriptions/resourceGroups/read'
          'Microsoft.Resources/subscriptions/resourceGroups/write'
        ]
        notActions: []
      }
    ]
    assignableScopes: [
      subscription().id
    ]
  }
}

resource resourceGroupWriterAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(subscription().id, principalId, resourceGroupWriter.id)
  properties: {
    roleDefinitionId: resourceGroupWriter.id
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
