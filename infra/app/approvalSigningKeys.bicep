// The app's own Key Vault, holding the approval link signing keys. BRICKLANE_APPROVAL_SIGNING_KEYS is a Key
// Vault reference to this secret (appSettings.bicep), resolved by App Service with the app's identity, which
// holds Key Vault Secrets User on this vault (appRoles.bicep). The keys never appear in app settings, in the
// deployment's parameters as shown by the portal (the parameter is @secure()) or in outputs.
// https://learn.microsoft.com/azure/app-service/app-service-key-vault-references
//
// The value comes from main.bicep's approvalSigningKeys parameter, which azd generates once and then reuses
// (see there): provisioning again writes the same value, so links in flight stay valid. Rotate through that
// parameter, never by editing the secret in the vault: the next `azd provision` would write the parameter back.

param location string
param tags object

@description('Unique suffix of the resource names.')
param resourceToken string

@secure()
@description('Comma-separated HMAC keys; the first signs new links, every one verifies.')
param approvalSigningKeys string

// Vault names: 3-24 letters, digits and hyphens, globally unique; resourceToken is 13 characters.
resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: 'kv-${resourceToken}'
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    // Azure RBAC, not access policies: the grant is a role assignment, declared in REQUIRED_ROLES.
    enableRbacAuthorization: true
    enableSoftDelete: true
    // No purge protection: `azd down --purge` must be able to free the name for a new `azd up`.
    // App Service resolves references over the public endpoint unless the app is in a virtual network.
    publicNetworkAccess: 'Enabled'
  }
}

resource signingKeysSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: keyVault
  name: 'approval-signing-keys'
  properties: {
    value: approvalSigningKeys
    contentType: 'comma-separated HMAC keys; the first signs, every one verifies'
  }
}

output keyVaultName string = keyVault.name
output signingKeysName string = signingKeysSecret.name
