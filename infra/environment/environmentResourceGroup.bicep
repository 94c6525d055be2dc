// One bricklane environment's resource group, created empty so that the identity can be granted on it.
//
// A role can only be assigned on a scope that exists, and the app creates the Databricks workspace and the
// Key Vault only on its first release. Creating the group here keeps Contributor on the group instead of
// the subscription. The app still creates the group when it is missing (Bricklane Resource Group Writer,
// environmentSubscription.bicep), but grants on a deleted group are gone with it: run `azd provision` again.
targetScope = 'subscription'

param resourceGroupName string

@description('Must match the region of the group if it exists already.')
param location string

param tags object

@description('Object id of the Function App\'s system-assigned identity.')
param principalId string

resource environmentResourceGroup 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: resourceGroupName
  location: location
  tags: tags
}

module roles 'environmentResourceGroupRoles.bicep' = {
  name: take('bricklane-roles-${resourceGroupName}', 64)
  scope: environmentResourceGroup
  params: {
    principalId: principalId
  }
}
