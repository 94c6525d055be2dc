// I/O: the seed's four service-principal secrets exist in the environment's vault and the app identity may
// read them, tried secret by secret so that every missing one is named. Values are read (that is the
// permission a deploy needs: getSecret) and dropped at once; only names, and whether the ids that
// Entra ID will be given have a GUID's shape, come out.
import type { TokenCredential } from '@azure/core-auth';
import { SecretClient } from '@azure/keyvault-secrets';
import { armErrorCode, isForbidden, isNotFound } from '../azure/armErrorCode';
import { MissingSecretError } from '../azure/MissingSecretError';
import { SERVICE_PRINCIPAL_SECRET_NAMES } from '../azure/readServicePrincipalSecrets';
import { requiredRole } from '../azure/requiredRole';
import { roleAssignmentCommand } from '../azure/roleAssignmentCommand';
import type { EnvironmentSettings } from '../config/Settings';
import type { DoctorCheck } from './DoctorCheck';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Entra ID takes these as ids; a value of another shape fails sign-in with a less helpful message. */
const GUID_SECRETS: ReadonlySet<string> = new Set([
  SERVICE_PRINCIPAL_SECRET_NAMES.tenantId,
  SERVICE_PRINCIPAL_SECRET_NAMES.clientId,
]);

export async function checkVaultSecrets(
  env: EnvironmentSettings,
  vault: { uri: string },
  credential: TokenCredential,
  options: { customEndpoints: boolean; principalId: string },
): Promise<DoctorCheck[]> {
  // As in readServicePrincipalSecrets: off Azure's public endpoints the vault host is not *.vault.azure.net.
  const client = new SecretClient(vault.uri, credential, {
    disableChallengeResourceVerification: options.customEndpoints,
  });
  const groupScope = `/subscriptions/${env.subscriptionId}/resourceGroups/${env.resourceGroup}`;
  const check = async (secretName: string): Promise<DoctorCheck> => {
    const base = { environment: env.name, name: `secret ${secretName}` };
    let value: string | undefined;
    try {
      value = (await client.getSecret(secretName)).value;
    } catch (error) {
      if (isForbidden(error)) {
        // requiredRoles grants it on the resource group, so that it also covers vaults created later.
        const role = requiredRole('Key Vault Secrets User', 'environmentResourceGroup');
        return {
          ...base,
          status: 'fail',
          detail: `identity ${options.principalId} may not read it: it needs the role "${role.name}" on ${groupScope}`,
          fix: roleAssignmentCommand(role, options.principalId, groupScope),
        };
      }
      if (!isNotFound(error)) {
        const { statusCode } = armErrorCode(error);
        return {
          ...base,
          status: 'fail',
          detail: `reading it failed${statusCode ? ` (HTTP ${statusCode})` : ''}: ${error instanceof Error ? error.name : 'error'}`,
          fix: `check that this host reaches ${new URL(vault.uri).host} (firewall, private endpoint), then run the doctor again`,
        };
      }
    }
    if (!value) {
      const missing = new MissingSecretError(env.keyVaultName, secretName);
      return {
        ...base,
        status: 'fail',
        detail: `missing from Key Vault ${env.keyVaultName}`,
        fix: commandIn(missing),
      };
    }
    if (GUID_SECRETS.has(secretName) && !GUID.test(value.trim())) {
      return {
        ...base,
        status: 'fail',
        detail: 'present, but not a GUID (value not shown)',
        fix: commandIn(new MissingSecretError(env.keyVaultName, secretName)).replace('<value>', '<the GUID>'),
      };
    }
    return { ...base, status: 'ok', detail: 'present and readable (value not shown)' };
  };
  return Promise.all(Object.values(SERVICE_PRINCIPAL_SECRET_NAMES).map(check));
}

/** The `az keyvault secret set ...` command MissingSecretError gives, so the two never disagree. */
function commandIn(error: MissingSecretError): string {
  const at = error.message.indexOf('az keyvault secret set');
  return at < 0 ? error.message : error.message.slice(at);
}
