// Key Vault with the app's secrets. The container app reads them as Key Vault references through
// its user-assigned identity, which holds only "Key Vault Secrets User" (read secret values) here.
param vaultName string
param location string
param tenantId string
param appPrincipalId string
@description('Secrets to store: { name: secret name in the vault, value: secret value }. Empty values are skipped.')
@secure()
param secrets object

// Built-in role "Key Vault Secrets User".
var secretsUserRole = '4633458b-17de-408a-b874-0445c86b69e6'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: vaultName
  location: location
  properties: {
    tenantId: tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled'
  }
}

resource secret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = [for item in items(secrets.values): if (!empty(item.value)) {
  parent: vault
  name: item.key
  properties: { value: item.value }
}]

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, appPrincipalId, secretsUserRole)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsUserRole)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

output vaultName string = vault.name
output vaultUri string = vault.properties.vaultUri
