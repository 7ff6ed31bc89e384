// Reynolds on Azure Container Apps: one image (the Dockerfile), several replicas sharing Cosmos,
// scaled on HTTP concurrency, probed on /healthz and /readyz. Secrets are Key Vault references
// read with the user-assigned identity, which also pulls the image from the registry (AcrPull).
param namePrefix string
param location string
param identityId string
param identityPrincipalId string
param identityClientId string
param workspaceName string
param vaultUri string
@description('Image to run; empty on the first provision, before `teamsapp deploy` has built one.')
param containerImage string
@description('Plain settings: { NAME: value }.')
param settings object
@description('Settings read from Key Vault: { NAME: secret name in the vault }.')
param secretSettings object
param minReplicas int = 2
param maxReplicas int = 6
param cpu string = '0.5'
param memory string = '1Gi'

var port = 3978
// Until the first image exists, a placeholder (it listens on 80) keeps the revision healthy.
var bootstrapping = empty(containerImage)
var acrPullRole = '7f951dda-4ed3-4680-a7ca-43fe172d538d'

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  name: replace('${namePrefix}acr', '-', '')
  location: location
  sku: { name: 'Basic' }
  properties: { adminUserEnabled: false }
}

resource acrPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: registry
  name: guid(registry.id, identityPrincipalId, acrPullRole)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPullRole)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {
  name: workspaceName
}

resource environment 'Microsoft.App/managedEnvironments@2024-03-01' = {
  name: '${namePrefix}-env'
  location: location
  properties: {
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: { customerId: workspace.properties.customerId, sharedKey: workspace.listKeys().primarySharedKey }
    }
  }
}

var secretNames = items(secretSettings)
// For-expressions cannot be function arguments in Bicep, hence these variables.
var plainEnv = [for s in items(settings): { name: s.key, value: string(s.value) }]
var secretEnv = [for s in secretNames: { name: s.key, secretRef: toLower(replace(s.key, '_', '-')) }]

var appName = '${namePrefix}-app'

resource app 'Microsoft.App/containerApps@2024-03-01' = {
  name: appName
  location: location
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  dependsOn: [ acrPull ]
  properties: {
    managedEnvironmentId: environment.id
    configuration: {
      activeRevisionsMode: 'Single'
      ingress: {
        external: true
        targetPort: bootstrapping ? 80 : port
        transport: 'auto'
        allowInsecure: false
      }
      registries: [ { server: registry.properties.loginServer, identity: identityId } ]
      secrets: [for s in secretNames: {
        name: toLower(replace(s.key, '_', '-'))
        keyVaultUrl: '${vaultUri}secrets/${s.value}'
        identity: identityId
      }]
    }
    template: {
      containers: [
        {
          name: 'reynolds'
          image: bootstrapping ? 'mcr.microsoft.com/k8se/quickstart:latest' : containerImage
          resources: { cpu: json(cpu), memory: memory }
          env: concat(plainEnv, secretEnv, [
            { name: 'PUBLIC_BASE_URL', value: 'https://${appName}.${environment.properties.defaultDomain}' }
            { name: 'AZURE_CLIENT_ID', value: identityClientId }
          ])
          probes: bootstrapping ? [] : [
            { type: 'Liveness', httpGet: { path: '/healthz', port: port }, periodSeconds: 10, failureThreshold: 3 }
            { type: 'Readiness', httpGet: { path: '/readyz', port: port }, periodSeconds: 5, failureThreshold: 3 }
            { type: 'Startup', httpGet: { path: '/healthz', port: port }, periodSeconds: 2, failureThreshold: 30 }
          ]
        }
      ]
      scale: {
        minReplicas: minReplicas
        maxReplicas: maxReplicas
        rules: [ { name: 'http', http: { metadata: { concurrentRequests: '50' } } } ]
      }
    }
  }
}

output appName string = app.name
output fqdn string = app.properties.configuration.ingress.fqdn
output registryName string = registry.name
output registryLoginServer string = registry.properties.loginServer
