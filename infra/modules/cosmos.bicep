// Cosmos DB for the store (src/store/cosmos/cosmos-store.ts): one database, the deliveries container
// (partitioned by /id, the delivery key), the body-chunk container, and one container per record
// kind (src/store/store.ts RECORD_KINDS), all partitioned by /partition. defaultTtl -1 turns TTL on
// and lets each document decide: the ones that expire carry `ttl`. tests/infra/bicep.test.ts
// checks this list against the containers the store itself creates.
@description('Account name (globally unique, lower case).')
param accountName string
param location string
param databaseName string = 'reynolds'
@description('Serverless (pay per request) by default; false for provisioned autoscale throughput.')
param serverless bool = true
@description('Autoscale maximum RU/s of the database when not serverless.')
param autoscaleMaxThroughput int = 1000
@description('Principal of the app\'s managed identity, given the data contributor role.')
param appPrincipalId string

var containers = [
  { name: 'deliveries', partitionKey: '/id' }
  { name: 'delivery_bodies', partitionKey: '/partition' }
  { name: 'chain', partitionKey: '/partition' }
  { name: 'chain_node', partitionKey: '/partition' }
  { name: 'audit', partitionKey: '/partition' }
  { name: 'echo', partitionKey: '/partition' }
  { name: 'conversation', partitionKey: '/partition' }
  { name: 'subscription', partitionKey: '/partition' }
  { name: 'thread', partitionKey: '/partition' }
  { name: 'outbox', partitionKey: '/partition' }
  { name: 'chat_state', partitionKey: '/partition' }
  { name: 'identity', partitionKey: '/partition' }
  { name: 'channel_settings', partitionKey: '/partition' }
  { name: 'burst', partitionKey: '/partition' }
  { name: 'digest', partitionKey: '/partition' }
  { name: 'recovery', partitionKey: '/partition' }
  { name: 'person_link', partitionKey: '/partition' }
  { name: 'work_item', partitionKey: '/partition' }
  { name: 'dependency_edge', partitionKey: '/partition' }
  { name: 'train', partitionKey: '/partition' }
  { name: 'portfolio', partitionKey: '/partition' }
  { name: 'portfolio_scope', partitionKey: '/partition' }
  { name: 'intervention', partitionKey: '/partition' }
  { name: 'intervention_due', partitionKey: '/partition' }
]

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: accountName
  location: location
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    consistencyPolicy: {
      // Session consistency is what If-Match on _etag needs within one client; writes are
      // conditional, so replicas never act on a stale read.
      defaultConsistencyLevel: 'Session'
    }
    locations: [
      { locationName: location, failoverPriority: 0, isZoneRedundant: false }
    ]
    capabilities: serverless ? [ { name: 'EnableServerless' } ] : []
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: 'Enabled'
    disableLocalAuth: false // the store signs requests with the account key (COSMOS_KEY, in Key Vault)
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: { id: databaseName }
    options: serverless ? {} : { autoscaleSettings: { maxThroughput: autoscaleMaxThroughput } }
  }
}

resource container 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = [for c in containers: {
  parent: database
  name: c.name
  properties: {
    resource: {
      id: c.name
      partitionKey: { paths: [ c.partitionKey ], kind: 'Hash' }
      defaultTtl: -1
      indexingPolicy: {
        indexingMode: 'consistent'
        automatic: true
        includedPaths: [ { path: '/*' } ]
        // Bodies are never queried and can be megabytes (same policy as the store's).
        excludedPaths: [ { path: '/body/?' }, { path: '/"_etag"/?' } ]
      }
    }
  }
}]

// Built-in "Cosmos DB Built-in Data Contributor": data-plane reads and writes only, no account
// management. For Entra ID sign-in of the store; today it signs with the key from Key Vault.
resource dataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = {
  parent: account
  name: guid(account.id, appPrincipalId, 'data-contributor')
  properties: {
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/00000000-0000-0000-0000-000000000002'
    principalId: appPrincipalId
    scope: account.id
  }
}

output endpoint string = account.properties.documentEndpoint
output accountName string = account.name
output databaseName string = databaseName
