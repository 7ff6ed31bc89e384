// Azure OpenAI for the model pool: one deployment per pool role (router, summariser, reviewer,
// security...), each naming its model. The app reaches it with AZURE_OPENAI_ENDPOINT and the key
// from Key Vault.
param accountName string
param location string
@description('The pool\'s deployments: { name, role, model, version, capacity (thousands of tokens per minute) }.')
param deployments array

resource account 'Microsoft.CognitiveServices/accounts@2024-10-01' = {
  name: accountName
  location: location
  kind: 'OpenAI'
  sku: { name: 'S0' }
  properties: {
    customSubDomainName: accountName
    publicNetworkAccess: 'Enabled'
  }
}

// Deployments of one account must be created one at a time.
@batchSize(1)
resource deployment 'Microsoft.CognitiveServices/accounts/deployments@2024-10-01' = [for d in deployments: {
  parent: account
  name: d.name
  sku: { name: 'GlobalStandard', capacity: d.capacity }
  properties: {
    model: { format: 'OpenAI', name: d.model, version: d.version }
  }
}]

output endpoint string = account.properties.endpoint
output accountName string = account.name
