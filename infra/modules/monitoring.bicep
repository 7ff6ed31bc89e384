// Log Analytics (container logs) and workspace-based Application Insights (OpenTelemetry from
// src/telemetry.ts when APPLICATIONINSIGHTS_CONNECTION_STRING is set).
param namePrefix string
param location string
param retentionInDays int = 30

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${namePrefix}-logs'
  location: location
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: retentionInDays
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${namePrefix}-insights'
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
  }
}

// The container app environment reads the workspace key itself (listKeys), so no output carries it.
output workspaceName string = workspace.name
output connectionString string = insights.properties.ConnectionString
