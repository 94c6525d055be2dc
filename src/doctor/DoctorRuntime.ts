// Pure: where the doctor runs, read from the platform's own app settings, so that fixes name the right place.
// App Service (and so Azure Functions) sets WEBSITE_HOSTNAME, WEBSITE_SITE_NAME and WEBSITE_RESOURCE_GROUP
// on every app (learn.microsoft.com, App Service "Environment variables and app settings reference").
// Local hosts set WEBSITE_HOSTNAME too (Core Tools to localhost:7071, so that durable-functions builds its
// webhook URLs), so a loopback host name means a local run.

export interface DoctorRuntime {
  /** Running as a Function App in Azure (WEBSITE_HOSTNAME is set to a non-loopback host), not locally. */
  inAzure: boolean;
  /** `<app>.azurewebsites.net` in Azure. */
  hostname?: string;
  siteName?: string;
  resourceGroup?: string;
  /** App Service Authentication is on: the platform sets WEBSITE_AUTH_ENABLED (as createAppServices reads it). */
  easyAuthEnabled: boolean;
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/i;

export function doctorRuntime(values: Readonly<Record<string, string | undefined>>): DoctorRuntime {
  const get = (key: string): string | undefined => values[key]?.trim() || undefined;
  const hostname = get('WEBSITE_HOSTNAME');
  const siteName = get('WEBSITE_SITE_NAME');
  const resourceGroup = get('WEBSITE_RESOURCE_GROUP');
  return {
    inAzure: hostname !== undefined && !LOOPBACK.test(hostname),
    easyAuthEnabled: (values.WEBSITE_AUTH_ENABLED ?? '').trim().toLowerCase() === 'true',
    ...(hostname ? { hostname } : {}),
    ...(siteName ? { siteName } : {}),
    ...(resourceGroup ? { resourceGroup } : {}),
  };
}

/**
 * How to set app settings where bricklane runs: the Azure CLI command for the Function App, or the local
 * settings file. Values are placeholders or shell expressions, never secrets.
 */
export function settingFix(runtime: DoctorRuntime, settings: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(settings)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
  // The CLI reads its environment; `func start` reads local.settings.json.
  if (!runtime.inAzure) return `export ${pairs} (for func start: local.settings.json "Values")`;
  return (
    `az functionapp config appsettings set --name ${runtime.siteName ?? '<function-app>'} ` +
    `--resource-group ${runtime.resourceGroup ?? '<resource-group>'} --settings ${pairs}`
  );
}
