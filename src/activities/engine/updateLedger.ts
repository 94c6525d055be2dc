// I/O: merges one activity's ledger changes into the stored ledger, retrying on ETag conflicts.
// Batches of one environment run in parallel and each touches its own keys, so a conflict is resolved
// by re-reading and re-applying this batch's changes, never by overwriting another batch's.
import { LedgerConflictError, type LedgerStore } from '../../azure/LedgerStore';
import type { Ledger, LedgerEntry } from '../../planning/Ledger';

export async function updateLedger(store: LedgerStore, before: Ledger, after: Ledger): Promise<boolean> {
  const changed: Record<string, LedgerEntry | undefined> = {};
  for (const key of new Set([...Object.keys(before.entries), ...Object.keys(after.entries)])) {
    const a = before.entries[key];
    const b = after.entries[key];
    if (JSON.stringify(a) !== JSON.stringify(b)) changed[key] = b;
  }
  // A directory-import refusal recorded by this activity (importNewFolders) travels with its entries.
  const fallback = after.directoryImport && !before.directoryImport ? after.directoryImport : undefined;
  if (Object.keys(changed).length === 0 && !fallback) return false;
  for (let attempt = 0; ; attempt++) {
    const stored = await store.read(after.environment);
    const entries = { ...stored.ledger.entries };
    for (const [key, entry] of Object.entries(changed)) {
      if (entry) entries[key] = entry;
      else Reflect.deleteProperty(entries, key);
    }
    try {
      const written = { ...stored.ledger, entries, updatedAt: new Date().toISOString() };
      if (fallback) written.directoryImport ??= fallback;
      await store.write(written, stored.etag);
      return true;
    } catch (error) {
      if (!(error instanceof LedgerConflictError) || attempt >= 20) throw error;
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 80 * (attempt + 1)));
    }
  }
}
