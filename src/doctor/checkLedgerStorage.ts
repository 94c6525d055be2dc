// I/O: the ledger's storage answers, with the credential a deploy uses, by reading one environment's
// ledger (LedgerStore.read: a missing blob is an empty ledger, not a failure). Every deploy and plan reads
// it first; with identity-based storage (infra/ disables shared keys) a missing data role fails there.
import type { TokenCredential } from '@azure/core-auth';
import { blobServiceFromSettings } from '../azure/blobServiceFromSettings';
import { armErrorCode } from '../azure/armErrorCode';
import { LedgerStore } from '../azure/LedgerStore';
import { requiredRole } from '../azure/requiredRole';
import { roleAssignmentCommand } from '../azure/roleAssignmentCommand';
import type { Settings } from '../config/Settings';
import type { DoctorCheck } from './DoctorCheck';

export async function checkLedgerStorage(
  settings: Settings,
  environment: string,
  identity: { credential?: TokenCredential; principalId?: string },
): Promise<DoctorCheck> {
  const name = 'ledger storage';
  const { connectionString, blobEndpoint, container } = settings.ledger;
  const where = connectionString ? 'BRICKLANE_LEDGER_CONNECTION' : `${blobEndpoint ?? ''} (app identity)`;
  if (!connectionString && !identity.credential) {
    return { status: 'skip', name, detail: 'checked once the app identity has a token (see "identity")' };
  }
  const service = blobServiceFromSettings(settings.ledger, () => identity.credential as TokenCredential);
  try {
    const stored = await new LedgerStore(service, container).read(environment);
    const entries = Object.keys(stored.ledger.entries).length;
    return {
      status: 'ok',
      name,
      detail: `${where}: container ${container} readable (${environment}: ${stored.etag ? `${entries} entries` : 'no ledger yet'})`,
    };
  } catch (error) {
    const { statusCode, code } = armErrorCode(error);
    const said = `${statusCode ? `HTTP ${statusCode} ` : ''}${code ?? (error instanceof Error ? error.name : 'error')}`;
    if (statusCode === 403 && !connectionString) {
      const role = requiredRole('Storage Blob Data Owner');
      const account = blobEndpoint ? new URL(blobEndpoint).hostname.split('.')[0] : '<account>';
      return {
        status: 'fail',
        name,
        detail: `identity ${identity.principalId ?? '<app identity>'} may not read ${where} (${said}): it needs "${role.name}" on the storage account`,
        fix: roleAssignmentCommand(
          role,
          identity.principalId ?? '<app identity object id>',
          `$(az storage account show --name ${account} --query id --output tsv)`,
        ),
      };
    }
    return {
      status: 'fail',
      name,
      detail: `reading ${where} failed (${said})`,
      fix: connectionString
        ? 'set BRICKLANE_LEDGER_CONNECTION to a current connection string (az storage account show-connection-string --name <account>), or use BRICKLANE_LEDGER_BLOB_ENDPOINT with the app identity'
        : `check BRICKLANE_LEDGER_BLOB_ENDPOINT and that this host reaches it (firewall, private endpoint)`,
    };
  }
}
