// One deployment for the whole service: Function App on Flex Consumption (Node 22) with a
// system-assigned identity, a storage account used only through that identity (shared keys off),
// Key Vault for the Graph client secret, Application Insights, and (createBot) the Azure Bot with
// Teams calling pointed at the app. See infra/README.md.

@description('Short name the resource names are derived from: 3 to 16 letters and digits, starting with a letter (it starts the storage account and Key Vault names, which take nothing else).')
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
@description('NCRONTAB (with seconds) of the keep-alive timer of the calls the service owns (Graph ends a call without a successful one for 45 minutes).')
param keepAliveSchedule string = '0 */5 * * * *'
@description('How old (seconds) a call\'s last successful keep-alive may get before the timer sends another.')
param keepAliveIntervalSeconds int = 540
@description('What to do with a call someone places to the bot: reject, ignore, or answer (then it is a call the service owns).')
@allowed(['reject', 'ignore', 'answer'])
param incomingCalls string = 'reject'
@description('Object id of the Teams resource account (application instance, with a phone number) calls are placed from; needed to call phone numbers. Empty: phone targets are refused.')
param pstnApplicationInstanceId string = ''
@description('Whether Graph\'s `updated` roster notifications list the whole roster (`snapshot`, Graph\'s default) or only who changed (`changes`).')
@allowed(['snapshot', 'changes'])
param rosterUpdates string = 'snapshot'
@description('NCRONTAB (with seconds) of the sweep that queues lost webhook deliveries again.')
param webhookSweepSchedule string = '0 */5 * * * *'
param maximumInstanceCount int = 100
@description('The https URL callers reach the app at when it is behind a gateway (API Management, Front Door); empty: the app\'s own address.')
param publicBaseUrl string = ''
@description('Key Vault name: globally unique, and kept 90 days (soft delete) after a delete; give another, or purge the old one, to deploy again under the same name.')
@maxLength(24)
param keyVaultName string = take('${name}kv${uniqueString(resourceGroup().id, name)}', 24)
@description('Also create the Azure Bot for the app registration, with the Teams channel and calling pointed at this app.')
param createBot bool = false
@allowed(['F0', 'S1'])
param botSku string = 'F0'

var suffix = uniqueString(resourceGroup().id, name)
// A storage account name is lowercase letters and digits only (capitals are lowered, as before), and the
// Key Vault name made from it starts with a letter. Bicep has no pattern check for a parameter, so a
// name breaking either stops the deployment here, before any resource, with this message (json() of
// text that is not JSON fails; ARM evaluates only the branch it takes), not at the account or vault.
var nameProblems = filter(range(0, length(name)), i => !contains('abcdefghijklmnopqrstuvwxyz0123456789', substring(toLower(name), i, 1)))
var startsWithLetter = contains('abcdefghijklmnopqrstuvwxyz', substring(toLower(name), 0, 1))
var checkedName = empty(nameProblems) && startsWithLetter ? name : json('name must be letters and digits, starting with a letter: ${name}')
var storageName = toLower(take('${checkedName}${suffix}', 24))
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
  name: keyVaultName
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

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: '${name}-${suffix}'
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

// The app settings, in their own resource applied once the app's identity holds its roles: a Key
// Vault reference resolved before the role exists would stay unresolved (the service then answers
// 503 naming the setting until the app restarts; see infra/README.md).
resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: app
  name: 'appsettings'
  dependsOn: [storageRoles, vaultRole, insightsRole]
  properties: {
    // The Functions host: its storage and Application Insights, both through the identity.
    AzureWebJobsStorage__accountName: storage.name
    APPLICATIONINSIGHTS_CONNECTION_STRING: insights.properties.ConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD'
    // The service (src/config.ts): storage through the identity, no keys anywhere.
    TABLES_ENDPOINT: 'https://${storage.name}.table.${storageSuffix}'
    TABLES_OPERATIONS_TABLE: operationsTable.name
    TABLES_ROSTER_TABLE: rosterTable.name
    WEBHOOK_QUEUE__queueServiceUri: 'https://${storage.name}.queue.${storageSuffix}'
    GRAPH_BASE_URL: graphBaseUrl
    GRAPH_TENANT_ID: graphTenantId
    GRAPH_CLIENT_ID: graphClientId
    GRAPH_CLIENT_SECRET: '@Microsoft.KeyVault(SecretUri=${graphSecret.properties.secretUri})'
    GRAPH_TIMEOUT_SECONDS: string(graphTimeoutSeconds)
    CALLBACK_OPENID_CONFIGURATION_URL: callbackOpenIdConfigurationUrl
    CALLBACK_AUDIENCE: graphClientId
    CALLBACK_ISSUERS: callbackIssuers
    CALLBACK_ALLOWED_TENANTS: callbackAllowedTenants
    CALLBACK_KEY_REFRESH_SECONDS: string(callbackKeyRefreshSeconds)
    INVITE_MAX_BODY_BYTES: string(inviteMaxBodyBytes)
    NOTIFICATIONS_MAX_BODY_BYTES: string(notificationsMaxBodyBytes)
    NOTIFICATIONS_MAX_BATCH_ITEMS: string(notificationsMaxBatchItems)
    RETRY_AFTER_RUNNING_SECONDS: string(retryAfterRunningSeconds)
    RETRY_AFTER_UNAVAILABLE_SECONDS: string(retryAfterUnavailableSeconds)
    WEBHOOK_MAX_ATTEMPTS: string(webhookMaxAttempts)
    WEBHOOK_RETRY_BASE_SECONDS: string(webhookRetryBaseSeconds)
    WEBHOOK_TIMEOUT_SECONDS: string(webhookTimeoutSeconds)
    WEBHOOK_SWEEP_SCHEDULE: webhookSweepSchedule
    RING_TIMEOUT_SECONDS: string(ringTimeoutSeconds)
    RETENTION_DAYS: string(retentionDays)
    RETENTION_SCHEDULE: retentionSchedule
    // Calls the service starts: Graph calls this app back at its own /api/notifications.
    CALLBACK_URI: 'https://${app.properties.defaultHostName}/api/notifications'
    // The base of Location, @odata.nextLink and the OpenAPI host: a gateway's URL when callers come through one.
    PUBLIC_BASE_URL: empty(publicBaseUrl) ? 'https://${app.properties.defaultHostName}' : publicBaseUrl
    KEEPALIVE_SCHEDULE: keepAliveSchedule
    KEEPALIVE_INTERVAL_SECONDS: string(keepAliveIntervalSeconds)
    KEEPALIVE_MIN_INTERVAL_SECONDS: '60'
    INCOMING_CALLS: incomingCalls
    PSTN_APPLICATION_INSTANCE_ID: pstnApplicationInstanceId
    ROSTER_UPDATES: rosterUpdates
  }
}

// The calling bot (optional): the app registration's Azure Bot, Teams channel with calling, whose
// webhook is this app's /api/notifications. A calling bot needs no messaging endpoint.
resource bot 'Microsoft.BotService/botServices@2022-09-15' = if (createBot) {
  name: '${name}-bot-${suffix}'
  location: 'global'
  kind: 'azurebot'
  sku: { name: botSku }
  properties: {
    displayName: name
    endpoint: ''
    msaAppId: graphClientId
    msaAppTenantId: graphTenantId
    msaAppType: 'SingleTenant'
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = if (createBot) {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
      enableCalling: true
      callingWebhook: 'https://${app.properties.defaultHostName}/api/notifications'
      incomingCallRoute: 'graphPma'
      deploymentEnvironment: 'CommercialDeployment'
      // Teams' channel terms, which the portal asks to accept: without them the channel is not published.
      acceptedTerms: true
    }
  }
}

output functionAppName string = app.name
// The names infra/README.md tells you to use (purging the vault, granting roles, the bot's channel).
output keyVaultName string = vault.name
output storageAccountName string = storage.name
output botName string = createBot ? bot.name : ''
output callbackUri string = 'https://${app.properties.defaultHostName}/api/notifications'
// Behind a gateway, the document (and the connector made from it) points at the gateway.
output openApiUrl string = '${empty(publicBaseUrl) ? 'https://${app.properties.defaultHostName}' : publicBaseUrl}/api/openapi.json'
