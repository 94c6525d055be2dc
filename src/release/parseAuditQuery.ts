// Pure: the parameters of a read of the audit trail (GET /api/audit and `bricklane audit`), checked before
// anything is read: the environment (one the caller has configured, checked by the caller), `since` as an
// ISO 8601 time, `limit` as a page size. Every problem at once, each naming its parameter.
export interface AuditQuery {
  environment: string;
  since?: Date;
  limit?: number;
  continuation?: string;
}

export type ParsedAuditQuery = { ok: true; query: AuditQuery } | { ok: false; problems: string[] };

/** Largest page a caller may ask for (AuditStore MAX_AUDIT_PAGE). */
export const MAX_AUDIT_LIMIT = 5_000;

/** An ISO 8601 date or date-time: `2026-12-05`, `2026-12-05T18:00:00Z`, with an offset or fraction. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

export function parseAuditQuery(values: {
  environment?: string | null;
  since?: string | null;
  limit?: string | null;
  continuation?: string | null;
}): ParsedAuditQuery {
  const problems: string[] = [];
  const environment = values.environment?.trim() ?? '';
  if (environment === '') problems.push('environment: required, e.g. environment=prod');
  let since: Date | undefined;
  if (values.since !== undefined && values.since !== null) {
    const text = values.since.trim();
    since = new Date(text);
    if (!ISO_TIME.test(text) || Number.isNaN(since.getTime())) {
      problems.push(`since: "${clip(text)}" is not an ISO 8601 time, e.g. 2026-12-05T18:00:00Z`);
      since = undefined;
    }
  }
  let limit: number | undefined;
  if (values.limit !== undefined && values.limit !== null) {
    limit = Number(values.limit.trim());
    if (!/^\d+$/.test(values.limit.trim()) || limit < 1 || limit > MAX_AUDIT_LIMIT) {
      problems.push(`limit: "${clip(values.limit)}" is not a whole number from 1 to ${MAX_AUDIT_LIMIT}`);
      limit = undefined;
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  const continuation = values.continuation?.trim();
  return {
    ok: true,
    query: {
      environment,
      ...(since ? { since } : {}),
      ...(limit !== undefined ? { limit } : {}),
      ...(continuation ? { continuation } : {}),
    },
  };
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}
