// The Azure Bot registration: single-tenant (Azure no longer creates multi-tenant bots), its
// identity the Entra app that teamsapp.yml's aadApp/create made (BOT_ID), with the Teams channel.
param botName string
param botAppId string
param botTenantId string
param messagingEndpoint string
param displayName string = 'Reynolds'

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: botName
  location: 'global'
  kind: 'azurebot'
  sku: { name: 'F0' }
  properties: {
    displayName: displayName
    endpoint: messagingEndpoint
    msaAppId: botAppId
    msaAppType: 'SingleTenant'
    msaAppTenantId: botTenantId
  }
}

resource teams 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: { isEnabled: true }
  }
}
