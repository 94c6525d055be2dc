// bricklane on Azure, for `azd up`: the Function App (Flex Consumption, Node 22) with a system-assigned
// identity, the Key Vault of its approval signing keys, App Service Authentication for approvers, and the
// least-privilege grants that identity needs. The grants mirror REQUIRED_ROLES in src/azure/requiredRoles.ts
// (test/unit/infra/requiredRoles.test.ts keeps the two in step), and the app settings match what src/ reads
// (test/unit/infra/appSettings.test.ts).
//
// Who can deploy this: besides Contributor on this subscription, the deployer needs Owner (or User Access
// Administrator plus Contributor) on every environment subscription, to define the custom role there and
// to assign roles.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; it seeds the unique resource names.')
param environmentName string

@minLength(1)
@description('Region of the Function App and its storage; it must offer Flex Consumption.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Project name of the seed naming schema (Databricks-<project>-Dev).')
param projectName string = 'MyProject'

@description('Resource group of the Function App. Empty: rg-<environmentName>.')
param resourceGroupName string = ''

type bricklaneTarget = {
  @description('Lower-case target name, as in BRICKLANE_<ENV>_TARGETS (weu).')
  name: string

  @description('Subscription that holds the target\'s workspace.')
  subscriptionId: string

  @description('Resource group of the target\'s Databricks workspace and Key Vault.')
  resourceGroupName: string

  @description('Region of that resource group. It cannot change once the group exists.')
  location: string
}

type bricklaneEnvironment = {
  @description('Lower-case environment name, as in BRICKLANE_ENVIRONMENTS (dev, qa, prod).')
  name: string

  @description('Subscription that holds the environment.')
  subscriptionId: string

  @description('Resource group of the environment\'s Databricks workspace and Key Vault.')
  resourceGroupName: string

  @description('Region of that resource group. It cannot change once the group exists.')
  location: string

  @description('A ring (BRICKLANE_<ENV>_TARGETS): the workspaces the environment deploys to, canary first; [] for one.')
  targets: bricklaneTarget[]
}

@description('The bricklane environments in deploy order. The identity is granted roles on each one.')
param bricklaneEnvironments bricklaneEnvironment[] = []

@description('Upper bound of Flex Consumption instances.')
param maximumInstanceCount int = 100

@description('Memory of each Flex Consumption instance, in MB.')
param instanceMemoryMB int = 2048

// Stable across provisions: azd generates a value for a `generate` parameter only when the parameters file
// gives none and the azd environment's config has none saved; it then saves it there (infra.parameters.<name>,
// a secret for a @secure() parameter) and passes the saved value on every later provision. An empty
// ${BRICKLANE_APPROVAL_SIGNING_KEYS} in main.parameters.json counts as not given. Source: Azure/azure-dev,
// cli/azd/pkg/infra/provisioning/bicep/bicep_provider.go (ensureParameters, armParameterFileValue). azd's
// generator never emits a comma (cli/azd/pkg/password/generator.go, Symbols), so a generated value is one key.
// To rotate, set BRICKLANE_APPROVAL_SIGNING_KEYS to "<new>,<old>" in the azd environment (README, "Deploying
// bricklane to Azure"). Generating with newGuid() or similar in Bicep would change the key on every provision
// and invalidate every approval link in flight.
@secure()
@description('Approval link signing keys, comma-separated: the first signs, every one verifies. Generated once.')
@metadata({
  azd: {
    type: 'generate'
    config: {
      length: 64
    }
  }
})
param approvalSigningKeys string

@minLength(36)
@maxLength(36)
@description('Application (client) id of the Entra ID app registration that approvers sign in with.')
param authClientId string

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}

resource appResourceGroup 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : 'rg-${environmentName}'
  location: location
  tags: tags
}

module app 'app/app.bicep' = {
  name: 'bricklane-app'
  scope: appResourceGroup
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
  }
}

module signingKeys 'app/approvalSigningKeys.bicep' = {
  name: 'bricklane-approval-signing-keys'
  scope: appResourceGroup
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    approvalSigningKeys: approvalSigningKeys
  }
}

module appRoles 'app/appRoles.bicep' = {
  name: 'bricklane-app-roles'
  scope: appResourceGroup
  params: {
    principalId: app.outputs.principalId
    storageAccountName: app.outputs.storageAccountName
    applicationInsightsName: app.outputs.applicationInsightsName
    keyVaultName: signingKeys.outputs.keyVaultName
  }
}

module appSettings 'app/appSettings.bicep' = {
  name: 'bricklane-app-settings'
  scope: appResourceGroup
  // The settings restart the app, which resolves its Key Vault reference at once: the role must be there.
  dependsOn: [
    appRoles
  ]
  params: {
    functionAppName: app.outputs.functionAppName
    storageAccountName: app.outputs.storageAccountName
    applicationInsightsName: app.outputs.applicationInsightsName
    projectName: projectName
    bricklaneEnvironments: bricklaneEnvironments
    keyVaultName: signingKeys.outputs.keyVaultName
    signingKeysName: signingKeys.outputs.signingKeysName
  }
}

// After the app settings: two writes to one site's configuration at once can conflict.
module appAuth 'app/appAuth.bicep' = {
  name: 'bricklane-app-auth'
  scope: appResourceGroup
  dependsOn: [
    appSettings
  ]
  params: {
    functionAppName: app.outputs.functionAppName
    authClientId: authClientId
  }
}

// One module per distinct subscription, not per environment: dev and qa often share a subscription, and two
// nested deployments writing the same role definition at once would conflict. union() keeps each value once.
// Where the workspaces live: each environment's group, or for a ring each target's (the app deploys there).
var environmentPlacements = flatten(map(bricklaneEnvironments, env => empty(env.targets)
  ? [
      {
        name: env.name
        subscriptionId: env.subscriptionId
        resourceGroupName: env.resourceGroupName
        location: env.location
      }
    ]
  : map(env.targets, target => {
      name: '${env.name}-${target.name}'
      subscriptionId: target.subscriptionId
      resourceGroupName: target.resourceGroupName
      location: target.location
    })))
var environmentSubscriptionIds = union(map(environmentPlacements, env => env.subscriptionId), [])

module environmentSubscriptions 'environment/environmentSubscription.bicep' = [
  for subscriptionId in environmentSubscriptionIds: {
    name: take('bricklane-${environmentName}-sub-${uniqueString(subscriptionId)}', 64)
    scope: subscription(subscriptionId)
    params: {
      principalId: app.outputs.principalId
    }
  }
]

module environmentResourceGroups 'environment/environmentResourceGroup.bicep' = [
  for env in environmentPlacements: {
    name: take('bricklane-${environmentName}-env-${env.name}', 64)
    scope: subscription(env.subscriptionId)
    params: {
      principalId: app.outputs.principalId
      resourceGroupName: env.resourceGroupName
      location: env.location
      tags: {
        'bricklane-environment': env.name
        'bricklane-project': projectName
      }
    }
  }
]

// azd stores these outputs in the environment; infra/hooks/postdeploy.* read them.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = appResourceGroup.name
output AZURE_FUNCTION_APP_NAME string = app.outputs.functionAppName
output AZURE_FUNCTION_APP_PRINCIPAL_ID string = app.outputs.principalId
output AZURE_STORAGE_ACCOUNT_NAME string = app.outputs.storageAccountName
output BRICKLANE_BUNDLES_SYSTEM_TOPIC_NAME string = app.outputs.bundlesSystemTopicName
output BRICKLANE_BUNDLES_CONTAINER string = app.outputs.bundlesContainerName
output AZURE_KEY_VAULT_NAME string = signingKeys.outputs.keyVaultName
output BRICKLANE_PUBLIC_URL string = 'https://${app.outputs.defaultHostName}'
// The redirect URI to add to the app registration (README, "Deploying bricklane to Azure").
output BRICKLANE_AUTH_REDIRECT_URI string = 'https://${app.outputs.defaultHostName}/.auth/login/aad/callback'
