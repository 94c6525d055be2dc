// Pure: how long the durable history of a finished release is kept (BRICKLANE_HISTORY_RETENTION_DAYS), in
// whole days; 0 or `off` keeps it for ever. The Azure Storage provider of Durable Functions keeps instance
// history until it is purged ("Instance history in Durable Functions: purge", learn.microsoft.com/azure/
// azure-functions/durable/durable-functions-instance-management#purge-instance-history), so the app purges it
// itself (functions/purgeHistory.ts); the audit trail and the release records outlive the purge.
type Values = Readonly<Record<string, string | undefined>>;

export const DEFAULT_HISTORY_RETENTION_DAYS = 30;
const MAX_DAYS = 3_650;

export function readHistoryRetention(values: Values, problems: string[]): number {
  const raw = values.BRICKLANE_HISTORY_RETENTION_DAYS?.trim().toLowerCase();
  if (!raw) return DEFAULT_HISTORY_RETENTION_DAYS;
  if (raw === 'off') return 0;
  const days = Number(raw);
  if (!/^\d+$/.test(raw) || days > MAX_DAYS) {
    problems.push(
      `BRICKLANE_HISTORY_RETENTION_DAYS must be a whole number of days from 0 to ${MAX_DAYS}, or off, got "${values.BRICKLANE_HISTORY_RETENTION_DAYS}"`,
    );
    return DEFAULT_HISTORY_RETENTION_DAYS;
  }
  return days;
}
