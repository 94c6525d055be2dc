// Pure: the HTTP status and ARM error code of an SDK error, whatever client produced it.

export interface ArmErrorInfo {
  statusCode: number | undefined;
  code: string | undefined;
}

export function armErrorCode(error: unknown): ArmErrorInfo {
  if (typeof error !== 'object' || error === null) return { statusCode: undefined, code: undefined };
  const e = error as { statusCode?: unknown; code?: unknown; details?: { error?: { code?: unknown } } };
  const statusCode = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  const code =
    typeof e.details?.error?.code === 'string'
      ? e.details.error.code
      : typeof e.code === 'string'
        ? e.code
        : undefined;
  return { statusCode, code };
}

export function isNotFound(error: unknown): boolean {
  return armErrorCode(error).statusCode === 404;
}

export function isForbidden(error: unknown): boolean {
  return armErrorCode(error).statusCode === 403;
}
