// The app settings infra owns. A PUT of config/appsettings replaces the whole set, so the current settings
// are read first and merged under ours. Settings operators add in the portal (approvers, workspace URLs,
// webhook secrets) then survive `azd provision`. test/unit/infra/appSettings.test.ts checks these against the
// settings src/ reads, both ways.
// Flex Consumption rejects FUNCTIONS_EXTENSION_VERSION, FUNCTIONS_WORKER_RUNTIME and WEBSITE_RUN_FROM_PACKAGE:
// functionAppConfig (app.bicep) carries the runtime and the package location instead.

param functionAppName string
param storageAccountName string
param applicationInsightsName string
param projectName string

@description('The bricklane environments: { name, subscriptionId, resourceGroupName, location, targets }[].')
param bricklaneEnvironments array

@description('The app\'s own Key Vault (approvalSigningKeys.bicep).')
param keyVaultName string

@description('The name of the secret in that vault that holds the approval signing keys.')
param signingKeysName string

resource functionApp 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource storageAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// Flat keys per environment (BRICKLANE_DEV_SUBSCRIPTION_ID), as src/config/loadSettings.ts reads them.
var environmentSettingList = flatten(map(bricklaneEnvironments, env => [
  {
    key: 'BRICKLANE_${toUpper(env.name)}_SUBSCRIPTION_ID'
    value: env.subscriptionId
  }
  {
    key: 'BRICKLANE_${toUpper(env.name)}_RESOURCE_GROUP'
    value: env.resourceGroupName
  }
  {
    key: 'BRICKLANE_${toUpper(env.name)}_LOCATION'
    value: env.location
  }
]))
// A ring (BRICKLANE_<ENV>_TARGETS): the targets in order, and each target's placement (BRICKLANE_PROD_WEU_...).
var ringSettingList = flatten(map(filter(bricklaneEnvironments, env => !empty(env.targets)), env => flatten([
  [
    {
      key: 'BRICKLANE_${toUpper(env.name)}_TARGETS'
      value: join(map(env.targets, target => target.name), ',')
    }
  ]
  flatten(map(env.targets, target => [
    {
      key: 'BRICKLANE_${toUpper(env.name)}_${toUpper(target.name)}_SUBSCRIPTION_ID'
      value: target.subscriptionId
    }
    {
      key: 'BRICKLANE_${toUpper(env.name)}_${toUpper(target.name)}_RESOURCE_GROUP'
      value: target.resourceGroupName
    }
    {
      key: 'BRICKLANE_${toUpper(env.name)}_${toUpper(target.name)}_LOCATION'
      value: target.location
    }
  ]))
])))
var environmentSettings = toObject(
  flatten([environmentSettingList, ringSettingList]),
  item => item.key,
  item => item.value
)

var infraSettings = union(environmentSettings, {
  // Identity-based host storage: the account name and no key. The host, Durable Functions and the blob
  // trigger use the app's system-assigned identity (roles in appRoles.bicep).
  AzureWebJobsStorage__accountName: storageAccount.name
  AzureWebJobsStorage__credential: 'managedidentity'
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
  // System-assigned identity: no ClientId part.
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD'
  BRICKLANE_PROJECT: projectName
  BRICKLANE_ENVIRONMENTS: join(map(bricklaneEnvironments, env => env.name), ',')
  BRICKLANE_LEDGER_CONTAINER: 'bricklane-ledger'
  // The ledger lives in the same account; there is no connection string to give, only its endpoint.
  BRICKLANE_LEDGER_BLOB_ENDPOINT: storageAccount.properties.primaryEndpoints.blob
  // Approval and status links point here (the default is the local host, http://localhost:7071).
  BRICKLANE_PUBLIC_URL: 'https://${functionApp.properties.defaultHostName}'
  // Without a version: App Service uses the latest one, and fetches it again whenever the app settings change
  // (every provision), or within 24 hours.
  // https://learn.microsoft.com/azure/app-service/app-service-key-vault-references#understand-rotation
  BRICKLANE_APPROVAL_SIGNING_KEYS: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${signingKeysName})'
})

resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: union(list('${functionApp.id}/config/appsettings', '2024-04-01').properties, infraSettings)
}
