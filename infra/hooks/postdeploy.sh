#!/bin/sh
# azd postdeploy hook: subscribes startReleaseFromBlob to blob-created events in `bundles`.
# Why after deploy, and not in main.bicep: see the header of infra/hooks/bundleSubscription.bicep.
# Needs the Azure CLI signed in (`az login`) to the subscription of the azd environment.
set -eu

: "${AZURE_RESOURCE_GROUP:?run azd provision first}"
: "${AZURE_FUNCTION_APP_NAME:?run azd provision first}"
: "${BRICKLANE_BUNDLES_SYSTEM_TOPIC_NAME:?run azd provision first}"

# The host creates the blobs_extension key a little after the code starts; wait for it.
attempt=1
until key=$(az functionapp keys list --resource-group "$AZURE_RESOURCE_GROUP" --name "$AZURE_FUNCTION_APP_NAME" \
  --query systemKeys.blobs_extension --output tsv) && [ -n "$key" ]; do
  if [ "$attempt" -ge 10 ]; then
    echo "bricklane: the blobs_extension system key of $AZURE_FUNCTION_APP_NAME does not exist; check that" \
      "startReleaseFromBlob was deployed with source EventGrid, then run: azd hooks run postdeploy" >&2
    exit 1
  fi
  echo "bricklane: waiting for the blobs_extension key ($attempt/10)"
  attempt=$((attempt + 1))
  sleep 15
done

az deployment group create \
  --resource-group "$AZURE_RESOURCE_GROUP" \
  --name bricklane-bundle-subscription \
  --template-file infra/hooks/bundleSubscription.bicep \
  --parameters functionAppName="$AZURE_FUNCTION_APP_NAME" systemTopicName="$BRICKLANE_BUNDLES_SYSTEM_TOPIC_NAME" \
  --output none
echo "bricklane: uploads to bundles/ now start releases"
