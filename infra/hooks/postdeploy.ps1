# azd postdeploy hook (Windows): the same as postdeploy.sh.
# Why after deploy, and not in main.bicep: see the header of infra/hooks/bundleSubscription.bicep.
$ErrorActionPreference = 'Stop'

foreach ($name in 'AZURE_RESOURCE_GROUP', 'AZURE_FUNCTION_APP_NAME', 'BRICKLANE_BUNDLES_SYSTEM_TOPIC_NAME') {
  if (-not [Environment]::GetEnvironmentVariable($name)) { throw "bricklane: $name is not set; run azd provision first" }
}

$key = ''
for ($attempt = 1; $attempt -le 10; $attempt++) {
  $key = az functionapp keys list --resource-group $env:AZURE_RESOURCE_GROUP --name $env:AZURE_FUNCTION_APP_NAME `
    --query systemKeys.blobs_extension --output tsv
  if ($LASTEXITCODE -eq 0 -and $key) { break }
  Write-Host "bricklane: waiting for the blobs_extension key ($attempt/10)"
  Start-Sleep -Seconds 15
}
if (-not $key) {
  throw ("bricklane: the blobs_extension system key of $($env:AZURE_FUNCTION_APP_NAME) does not exist; check that " +
    'startReleaseFromBlob was deployed with source EventGrid, then run: azd hooks run postdeploy')
}

az deployment group create `
  --resource-group $env:AZURE_RESOURCE_GROUP `
  --name bricklane-bundle-subscription `
  --template-file infra/hooks/bundleSubscription.bicep `
  --parameters functionAppName=$env:AZURE_FUNCTION_APP_NAME systemTopicName=$env:BRICKLANE_BUNDLES_SYSTEM_TOPIC_NAME `
  --output none
if ($LASTEXITCODE -ne 0) { throw 'bricklane: creating the Event Grid subscription failed' }
Write-Host 'bricklane: uploads to bundles/ now start releases'
