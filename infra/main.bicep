// Reynolds in Azure: see docs/deploy.md. Everything here is something the app uses:
//   container app (+ environment, registry)  runs the image built from the Dockerfile
//   Azure Bot (single-tenant, Teams channel)  routes Teams to POST /api/messages
//   Cosmos DB (serverless, one container per record kind)  STORE=cosmos, shared by the replicas
//   Azure OpenAI (one deployment per pool role)  the model pool
//   Key Vault  BOT_PASSWORD, GITHUB_WEBHOOK_SECRET, COSMOS_KEY, AZURE_OPENAI_API_KEY
//   user-assigned identity  reads those secrets, pulls the image, Cosmos data contributor
//   Log Analytics + Application Insights  logs and OpenTelemetry (src/telemetry.ts)
targetScope = 'resourceGroup'

@description('Lower-case letters and digits; names of globally unique resources start with it.')
@maxLength(16)
param resourceBaseName string = 'rey${uniqueString(resourceGroup().id)}'
param location string = resourceGroup().location

@description('Client id of the single-tenant Entra app that is the bot (teamsapp.yml aadApp/create writes BOT_ID).')
param botAadAppClientId string
@description('Tenant of that app.')
param botAadAppTenantId string = tenant().tenantId
@secure()
param botAadAppClientSecret string
@secure()
@description('The secret set on the GitHub webhook (at least 8 characters).')
param githubWebhookSecret string
@secure()
@description('Optional: key of the HMAC in chain markers; derived from the webhook secret when empty.')
param loopMarkerSecret string = ''

// Verified GitHub sign-in (docs/admin-sign-in.md); all empty: `sign in` is not offered.
@description('Optional: client id of the GitHub App (or OAuth App) people sign in with, device flow enabled.')
param githubOAuthClientId string = ''
@secure()
@description('Client secret of that app: refreshes expiring user tokens and revokes tokens at sign-out. Required with githubOAuthClientId.')
param githubOAuthClientSecret string = ''
@secure()
@description('32 random bytes, base64 (openssl rand -base64 32): seals people\'s GitHub tokens at rest. Required with githubOAuthClientId.')
param tokenEncryptionKey string = ''
@description('GitHub web root for the device flow: https://github.com, or a GitHub Enterprise Server https://host.')
param githubWebUrl string = 'https://github.com'

@description('Cosmos DB capacity mode: serverless (default) or provisioned autoscale.')
param cosmosServerless bool = true
param cosmosDatabaseName string = 'reynolds'

@description('Azure OpenAI deployments for the model pool (src/models/model-pool.ts MODEL_ROLES): { name: deployment name, role, model, version, capacity (thousands of tokens per minute) }. Several per role spread the load.')
param openAiDeployments array = [
  { name: 'codegen-1', role: 'codegen', model: 'gpt-4o', version: '2024-11-20', capacity: 10 }
  { name: 'review-1', role: 'review', model: 'gpt-4o', version: '2024-11-20', capacity: 10 }
  { name: 'docs-1', role: 'docs', model: 'gpt-4o-mini', version: '2024-07-18', capacity: 30 }
  { name: 'issues-1', role: 'issues', model: 'gpt-4o-mini', version: '2024-07-18', capacity: 30 }
  { name: 'security-1', role: 'security', model: 'gpt-4o', version: '2024-11-20', capacity: 10 }
]

@description('Image to run; empty until `teamsapp deploy` has built the first one.')
param containerImage string = ''
param minReplicas int = 2
param maxReplicas int = 6
param logLevel string = 'info'

var namePrefix = toLower(resourceBaseName)
var cosmosAccountName = '${namePrefix}-cosmos'
var openAiAccountName = '${namePrefix}-openai'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${namePrefix}-id'
  location: location
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: { namePrefix: namePrefix, location: location }
}

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos'
  params: {
    accountName: cosmosAccountName
    location: location
    databaseName: cosmosDatabaseName
    serverless: cosmosServerless
    appPrincipalId: identity.properties.principalId
  }
}

module openai 'modules/openai.bicep' = {
  name: 'openai'
  params: { accountName: openAiAccountName, location: location, deployments: openAiDeployments }
}

// Read back for their keys, which go straight into Key Vault (never into an output).
resource cosmosAccount 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' existing = {
  name: cosmosAccountName
}

resource openaiAccount 'Microsoft.CognitiveServices/accounts@2024-10-01' existing = {
  name: openAiAccountName
}

module vault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  dependsOn: [ cosmos, openai ] // listKeys below needs the accounts to exist
  params: {
    vaultName: '${namePrefix}-kv'
    location: location
    tenantId: tenant().tenantId
    appPrincipalId: identity.properties.principalId
    secrets: {
      values: {
        'bot-password': botAadAppClientSecret
        'github-webhook-secret': githubWebhookSecret
        'cosmos-key': cosmosAccount.listKeys().primaryMasterKey
        'azure-openai-api-key': openaiAccount.listKeys().key1
        'loop-marker-secret': loopMarkerSecret
        'github-oauth-client-secret': githubOAuthClientSecret
        'token-encryption-key': tokenEncryptionKey
      }
    }
  }
}

module app 'modules/containerapp.bicep' = {
  name: 'containerapp'
  params: {
    namePrefix: namePrefix
    location: location
    identityId: identity.id
    identityPrincipalId: identity.properties.principalId
    identityClientId: identity.properties.clientId
    workspaceName: monitoring.outputs.workspaceName
    vaultUri: vault.outputs.vaultUri
    containerImage: containerImage
    minReplicas: minReplicas
    maxReplicas: maxReplicas
    settings: {
      PORT: '3978'
      LOG_LEVEL: logLevel
      STORE: 'cosmos'
      COSMOS_ENDPOINT: cosmos.outputs.endpoint
      COSMOS_DATABASE: cosmos.outputs.databaseName
      BOT_ID: botAadAppClientId
      BOT_TENANT_ID: botAadAppTenantId
      BOT_TYPE: 'SingleTenant'
      // The pool's deployments (docs/model-pool.md), pointing at the account above.
      MODEL_DEPLOYMENTS: string(map(openAiDeployments, d => {
        name: d.name
        role: d.role
        provider: 'azure'
        endpoint: openai.outputs.endpoint
        model: d.model
        deployment: d.name
      }))
      APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.connectionString
      GITHUB_OAUTH_CLIENT_ID: githubOAuthClientId
      GITHUB_WEB_URL: githubWebUrl
    }
    secretSettings: union(
      {
        BOT_PASSWORD: 'bot-password'
        GITHUB_WEBHOOK_SECRET: 'github-webhook-secret'
        COSMOS_KEY: 'cosmos-key'
        AZURE_OPENAI_API_KEY: 'azure-openai-api-key'
      },
      empty(loopMarkerSecret) ? {} : { LOOP_MARKER_SECRET: 'loop-marker-secret' },
      empty(githubOAuthClientId) ? {} : { GITHUB_OAUTH_CLIENT_SECRET: 'github-oauth-client-secret', TOKEN_ENCRYPTION_KEY: 'token-encryption-key' }
    )
  }
}

module bot 'modules/bot.bicep' = {
  name: 'bot'
  params: {
    botName: '${namePrefix}-bot'
    botAppId: botAadAppClientId
    botTenantId: botAadAppTenantId
    messagingEndpoint: 'https://${app.outputs.fqdn}/api/messages'
  }
}

// Upper-cased into env/.env.<env> by the Toolkit's arm/deploy.
output BOT_DOMAIN string = app.outputs.fqdn
output TAB_DOMAIN string = app.outputs.fqdn
output BOT_ENDPOINT string = 'https://${app.outputs.fqdn}'
output COSMOS_ENDPOINT string = cosmos.outputs.endpoint
output KEY_VAULT_NAME string = vault.outputs.vaultName
output AZURE_CONTAINER_APP_NAME string = app.outputs.appName
output AZURE_CONTAINER_REGISTRY string = app.outputs.registryName
