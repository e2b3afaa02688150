// One deployment for the whole service: Function App on Flex Consumption (Node 22) with a
// system-assigned identity, a storage account used only through that identity (shared keys off),
// Key Vault for the Graph client secret, and Application Insights. See infra/README.md.

@description('Short name the resource names are derived from (letters and digits).')
@minLength(3)
@maxLength(16)
param name string

param location string = resourceGroup().location

@description('Tenant of the bot\'s app registration.')
param graphTenantId string

@description('Application (client) id of the bot\'s app registration; also the audience of Graph\'s callback tokens.')
param graphClientId string

@description('Client secret of the app registration; stored in Key Vault, referenced from the app settings.')
@secure()
param graphClientSecret string

param graphBaseUrl string = 'https://graph.microsoft.com/v1.0'
param graphTimeoutSeconds int = 10
param callbackOpenIdConfigurationUrl string = 'https://api.aps.skype.com/v1/.well-known/OpenIdConfiguration'
param callbackIssuers string = 'https://api.botframework.com,https://graph.microsoft.com'
@description('Comma-separated tenant ids accepted in callback tokens; empty means the app\'s own tenant (graphTenantId), * any tenant.')
param callbackAllowedTenants string = ''
param callbackKeyRefreshSeconds int = 30
param inviteMaxBodyBytes int = 1048576
param notificationsMaxBodyBytes int = 8388608
param notificationsMaxBatchItems int = 1000
param retryAfterRunningSeconds int = 2
param retryAfterUnavailableSeconds int = 5
param webhookMaxAttempts int = 8
param webhookRetryBaseSeconds int = 15
param webhookTimeoutSeconds int = 10
param ringTimeoutSeconds int = 60
param retentionDays int = 30
@description('NCRONTAB (with seconds, UTC) of the retention purge.')
param retentionSchedule string = '0 30 3 * * *'
@description('NCRONTAB (with seconds) of the keep-alive of the calls the service started (Graph ends a call without one for 45 minutes).')
param keepAliveSchedule string = '0 */15 * * * *'
@description('What to do with a call someone places to the bot: reject or ignore.')
@allowed(['reject', 'ignore'])
param incomingCalls string = 'reject'
@description('The domain of App Service host names in this cloud (azurewebsites.us in US Government).')
param appServiceDomain string = 'azurewebsites.net'
@description('NCRONTAB (with seconds) of the sweep that queues lost webhook deliveries again.')
param webhookSweepSchedule string = '0 */5 * * * *'
param maximumInstanceCount int = 100

var suffix = uniqueString(resourceGroup().id, name)
var storageName = toLower(take('${name}${suffix}', 24))
var storageSuffix = environment().suffixes.storage
var deploymentContainer = 'app-package'

// Built-in role definition ids.
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageName
  location: location
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource packages 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobs
  name: deploymentContainer
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource operationsTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = {
  parent: tableService
  name: 'operations'
}

resource rosterTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = {
  parent: tableService
  name: 'roster'
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource webhookQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queueService
  name: 'webhook-deliveries'
}

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${name}-logs-${suffix}'
  location: location
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${name}-ai-${suffix}'
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    DisableLocalAuth: true
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: take('${name}kv${suffix}', 24)
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
  }
}

resource graphSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'graph-client-secret'
  properties: { value: graphClientSecret }
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: '${name}-plan-${suffix}'
  location: location
  kind: 'functionapp'
  sku: { tier: 'FlexConsumption', name: 'FC1' }
  properties: { reserved: true }
}

var appName = '${name}-${suffix}'

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  kind: 'functionapp,linux'
  identity: { type: 'SystemAssigned' }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainer}'
          authentication: { type: 'SystemAssignedIdentity' }
        }
      }
      scaleAndConcurrency: { maximumInstanceCount: maximumInstanceCount, instanceMemoryMB: 2048 }
      runtime: { name: 'node', version: '22' }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      appSettings: [
        // The Functions host: its storage and Application Insights, both through the identity.
        { name: 'AzureWebJobsStorage__accountName', value: storage.name }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insights.properties.ConnectionString }
        { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'Authorization=AAD' }
        // The service (src/config.ts): storage through the identity, no keys anywhere.
        { name: 'TABLES_ENDPOINT', value: 'https://${storage.name}.table.${storageSuffix}' }
        { name: 'TABLES_OPERATIONS_TABLE', value: operationsTable.name }
        { name: 'TABLES_ROSTER_TABLE', value: rosterTable.name }
        { name: 'WEBHOOK_QUEUE__queueServiceUri', value: 'https://${storage.name}.queue.${storageSuffix}' }
        { name: 'GRAPH_BASE_URL', value: graphBaseUrl }
        { name: 'GRAPH_TENANT_ID', value: graphTenantId }
        { name: 'GRAPH_CLIENT_ID', value: graphClientId }
        { name: 'GRAPH_CLIENT_SECRET', value: '@Microsoft.KeyVault(SecretUri=${graphSecret.properties.secretUri})' }
        { name: 'GRAPH_TIMEOUT_SECONDS', value: string(graphTimeoutSeconds) }
        { name: 'CALLBACK_OPENID_CONFIGURATION_URL', value: callbackOpenIdConfigurationUrl }
        { name: 'CALLBACK_AUDIENCE', value: graphClientId }
        { name: 'CALLBACK_ISSUERS', value: callbackIssuers }
        { name: 'CALLBACK_ALLOWED_TENANTS', value: callbackAllowedTenants }
        { name: 'CALLBACK_KEY_REFRESH_SECONDS', value: string(callbackKeyRefreshSeconds) }
        { name: 'INVITE_MAX_BODY_BYTES', value: string(inviteMaxBodyBytes) }
        { name: 'NOTIFICATIONS_MAX_BODY_BYTES', value: string(notificationsMaxBodyBytes) }
        { name: 'NOTIFICATIONS_MAX_BATCH_ITEMS', value: string(notificationsMaxBatchItems) }
        { name: 'RETRY_AFTER_RUNNING_SECONDS', value: string(retryAfterRunningSeconds) }
        { name: 'RETRY_AFTER_UNAVAILABLE_SECONDS', value: string(retryAfterUnavailableSeconds) }
        { name: 'WEBHOOK_MAX_ATTEMPTS', value: string(webhookMaxAttempts) }
        { name: 'WEBHOOK_RETRY_BASE_SECONDS', value: string(webhookRetryBaseSeconds) }
        { name: 'WEBHOOK_TIMEOUT_SECONDS', value: string(webhookTimeoutSeconds) }
        { name: 'WEBHOOK_SWEEP_SCHEDULE', value: webhookSweepSchedule }
        { name: 'RING_TIMEOUT_SECONDS', value: string(ringTimeoutSeconds) }
        { name: 'RETENTION_DAYS', value: string(retentionDays) }
        { name: 'RETENTION_SCHEDULE', value: retentionSchedule }
        // Calls the service starts: Graph calls this app back at its own /api/notifications.
        { name: 'CALLBACK_URI', value: 'https://${appName}.${appServiceDomain}/api/notifications' }
        { name: 'KEEPALIVE_SCHEDULE', value: keepAliveSchedule }
        { name: 'KEEPALIVE_MIN_INTERVAL_SECONDS', value: '60' }
        { name: 'INCOMING_CALLS', value: incomingCalls }
      ]
    }
  }
}

// Least privilege: the app's identity gets data roles on this account and this vault only.
resource storageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in [roles.storageBlobDataOwner, roles.storageQueueDataContributor, roles.storageTableDataContributor]: {
    name: guid(storage.id, app.id, role)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
      principalId: app.identity.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource vaultRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, app.id, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: app.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource insightsRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(insights.id, app.id, roles.monitoringMetricsPublisher)
  scope: insights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: app.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

output functionAppName string = app.name
output callbackUri string = 'https://${app.properties.defaultHostName}/api/notifications'
output openApiUrl string = 'https://${app.properties.defaultHostName}/api/openapi.json'
