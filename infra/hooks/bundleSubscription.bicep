// The Event Grid subscription that starts a release when a bundle lands in the `bundles` container.
//
// Applied by the azd postdeploy hook (postdeploy.sh / postdeploy.ps1), not by main.bicep. On Flex
// Consumption the blob trigger is Event Grid based: events go to the host's blobs webhook, authorized by the
// `blobs_extension` system key. The host creates that key only when it loads code with such a trigger,
// which is after `azd deploy`; during `azd provision` of a new app, listKeys would find no key.
// https://learn.microsoft.com/azure/azure-functions/functions-event-grid-blob-trigger

param functionAppName string
param systemTopicName string

resource functionApp 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource bundlesSystemTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' existing = {
  name: systemTopicName
}

// The function is registered as startReleaseFromBlob (src/functions/startReleaseFromBlob.ts).
var blobsExtensionKey = listKeys('${functionApp.id}/host/default', '2024-04-01').systemKeys.blobs_extension
var webhookUrl = 'https://${functionApp.properties.defaultHostName}/runtime/webhooks/blobs?functionName=Host.Functions.startReleaseFromBlob&code=${blobsExtensionKey}'

resource bundlesCreated 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = {
  parent: bundlesSystemTopic
  name: 'bundles-start-release'
  properties: {
    destination: {
      endpointType: 'WebHook'
      properties: {
        endpointUrl: webhookUrl
        // One bundle per delivery: each starts its own release.
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    filter: {
      includedEventTypes: [
        'Microsoft.Storage.BlobCreated'
      ]
      subjectBeginsWith: '/blobServices/default/containers/bundles/'
    }
    eventDeliverySchema: 'EventGridSchema'
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}
