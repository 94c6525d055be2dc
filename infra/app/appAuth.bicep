// App Service Authentication (Easy Auth) with Entra ID, so that an approver can be named and checked against
// an environment's allow-list: the platform then sets X-MS-CLIENT-PRINCIPAL* on every request, strips any a
// client sent, and sets WEBSITE_AUTH_ENABLED, which bricklane reads before it trusts those headers
// (src/approvals/resolveApprover.ts).
//
// Anonymous requests stay allowed: the webhooks authenticate themselves (HMAC, basic auth), the manual start
// and status routes use function keys, and the Event Grid blob trigger calls the host's webhook with its
// system key. A sign-in is asked only where bricklane asks for one, on the approval page
// (/.auth/login/aad). https://learn.microsoft.com/azure/app-service/overview-authentication-authorization
//
// No client secret: without one, Easy Auth signs users in with the implicit grant of an ID token, which the
// app registration must allow ("ID tokens" under Authentication). That is all bricklane needs: who the
// user is, no token to call another API with.
// https://learn.microsoft.com/azure/app-service/configure-authentication-provider-aad (option 2, "Client secret")

param functionAppName string

@description('Application (client) id of the Entra ID app registration approvers sign in with.')
param authClientId string

resource functionApp 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

// Schema: https://learn.microsoft.com/azure/templates/microsoft.web/sites/config-authsettingsv2
resource authSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: false
      unauthenticatedClientAction: 'AllowAnonymous'
    }
    httpSettings: {
      requireHttps: true
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: authClientId
          // Single tenant: only this tenant's users can sign in (v2.0 endpoint, per the page cited above).
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
        }
      }
    }
    login: {
      // bricklane reads only the identity headers; it keeps no user tokens.
      tokenStore: {
        enabled: false
      }
    }
  }
}
