// I/O: the app's own Azure identity gets a token for Azure Resource Manager, and who it is (object id,
// tenant): every role fix names that object id. In Azure this is the Function App's managed identity; with
// BRICKLANE_AZURE_CREDENTIAL=cli it is the developer's `az login`.
import type { TokenCredential } from '@azure/core-auth';
import { tokenClaims } from '../azure/principalIdOf';
import type { Settings } from '../config/Settings';
import type { DoctorCheck } from './DoctorCheck';
import { settingFix, type DoctorRuntime } from './DoctorRuntime';

const ARM_SCOPE = 'https://management.azure.com/.default';

export async function checkIdentity(
  settings: Settings,
  credential: TokenCredential,
  runtime: DoctorRuntime,
): Promise<{ check: DoctorCheck; principalId?: string }> {
  const name = 'identity';
  try {
    const claims = await tokenClaims(credential, ARM_SCOPE);
    const oid = typeof claims.oid === 'string' ? claims.oid : '<unknown object id>';
    const tenant = typeof claims.tid === 'string' ? ` in tenant ${claims.tid}` : '';
    return {
      check: { status: 'ok', name, detail: `${settings.azure.credential}: object id ${oid}${tenant}` },
      principalId: oid,
    };
  } catch (error) {
    const first = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
    const fix =
      settings.azure.credential !== 'managedIdentity'
        ? 'az login (the Azure CLI login is the app identity locally)'
        : runtime.inAzure
          ? `az functionapp identity assign --name ${runtime.siteName ?? '<function-app>'} --resource-group ${runtime.resourceGroup ?? '<resource-group>'}`
          : `${settingFix(runtime, { BRICKLANE_AZURE_CREDENTIAL: 'cli' })}, then az login (there is no managed identity outside Azure)`;
    return {
      check: {
        status: 'fail',
        name,
        detail: `no token for Azure Resource Manager (${settings.azure.credential}): ${first}`,
        fix,
      },
    };
  }
}
