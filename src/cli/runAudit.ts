// I/O: `bricklane audit --env <name> [--since <ISO time>] [--limit <n>] [--json]`: an environment's audit trail,
// read straight from the storage account the settings name (as `plan` and `deploy` reach the ledger), every
// page in append order, each event once. `--json` prints the records as stored, one JSON object per line
// (the same lines GET /api/audit answers); otherwise one line per event in words.
import { AuditStore, dedupeAuditRecords, type AuditRecord } from '../azure/AuditStore';
import { blobServiceFromSettings } from '../azure/blobServiceFromSettings';
import { createAzureCredential } from '../azure/createAzureCredential';
import { environmentByName, loadSettings, SettingsError } from '../config/loadSettings';
import type { AuditEvent } from '../release/AuditEvent';
import { parseAuditQuery } from '../release/parseAuditQuery';
import type { CliIo } from './CliIo';

export interface AuditOptions {
  env?: string;
  since?: string;
  limit?: string;
  json: boolean;
}

/** Events read per storage page. */
const PAGE = 1_000;

export async function runAudit(options: AuditOptions, io: CliIo): Promise<number> {
  if (!options.env) {
    io.stderr('bricklane audit: --env <name> is required\n');
    return 2;
  }
  const parsed = parseAuditQuery({
    environment: options.env,
    since: options.since ?? null,
    limit: options.limit ?? null,
  });
  if (!parsed.ok) {
    io.stderr(`bricklane audit: ${parsed.problems.join('; ')}\n`);
    return 2;
  }
  const { query } = parsed;
  let store: AuditStore;
  try {
    const settings = loadSettings(io.env);
    environmentByName(settings, query.environment);
    store = new AuditStore(
      blobServiceFromSettings(settings.ledger, () => createAzureCredential(settings.azure)),
    );
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    io.stderr(`bricklane audit: ${error.problems.join('; ')}\n`);
    return 2;
  }
  const seen = new Set<string>();
  let printed = 0;
  let continuation: string | undefined;
  try {
    do {
      const page = await store.read(query.environment, {
        ...(query.since ? { since: query.since } : {}),
        limit: PAGE,
        ...(continuation ? { continuation } : {}),
      });
      for (const event of dedupeAuditRecords(page.events, seen)) {
        if (query.limit !== undefined && printed >= query.limit) return 0;
        io.stdout(`${options.json ? JSON.stringify(event) : describeAuditEvent(event)}\n`);
        printed += 1;
      }
      continuation = page.continuation;
    } while (continuation);
  } catch (error) {
    io.stderr(
      `bricklane audit: the ${query.environment} trail could not be read: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  }
  if (printed === 0 && !options.json) io.stderr(`bricklane audit: no events in ${query.environment}\n`);
  return 0;
}

/** One event in words: `<time>  <release>  <kind>  <what happened>`. */
export function describeAuditEvent(record: AuditRecord): string {
  const event = record as AuditEvent;
  const where = event.target ? `  [${event.target}]` : '';
  return `${event.at}  ${event.releaseId}${where}  ${event.kind}  ${detailOf(event)}`.trimEnd();
}

function detailOf(event: AuditEvent): string {
  switch (event.kind) {
    case 'started': {
      const { source } = event;
      return [
        `from ${source.kind}`,
        source.repository ? ` ${source.repository}` : '',
        source.commit ? ` @ ${source.commit.slice(0, 12)}` : '',
        source.requestedBy ? ` by ${source.requestedBy}` : '',
        `, bundle ${event.bundleId || '(staged from the commit)'}`,
        ` -> ${event.environments.join(', ')}`,
      ].join('');
    }
    case 'planned':
      return `plan ${event.planId} of bundle ${event.bundleId}: ${event.changes} change(s)`;
    case 'approvalRequested':
      return `approval asked${event.planId ? ` for plan ${event.planId}` : ''}${event.expiresAt ? `, until ${event.expiresAt}` : ''}`;
    case 'approval': {
      const how = event.principal.via ? ` (${event.principal.via})` : '';
      return `${event.decision === 'approve' ? 'approved' : 'rejected'} by ${event.approver}${how}${event.comment ? `: "${event.comment}"` : ''}`;
    }
    case 'policy':
      return `${event.policy} ${event.state}${event.message ? ` — ${event.message}` : ''}`;
    case 'stageFinished': {
      const o = event.outcome;
      const counts = o ? ` (${o.done} done, ${o.failed} failed, ${o.skipped} skipped)` : '';
      const checks = event.checks?.length
        ? `; checks: ${event.checks.map((c) => `${c.job} ${c.state}`).join(', ')}`
        : '';
      return `${event.state === 'rolledBack' ? 'rolled back' : event.state}${counts}${checks}${event.message ? ` — ${event.message}` : ''}`;
    }
    default:
      return '';
  }
}
