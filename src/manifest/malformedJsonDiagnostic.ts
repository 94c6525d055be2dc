// Pure: the diagnostic for a bundle file that is not valid JSON.
import type { Diagnostic, ParsedJson } from './Bundle';

export function malformedJsonDiagnostic(
  file: string,
  parsed: Extract<ParsedJson, { ok: false }>,
): Diagnostic {
  const at = parsed.line === undefined ? file : `${file}:${parsed.line}:${parsed.column ?? 1}`;
  return {
    severity: 'error',
    code: 'JSON_MALFORMED',
    file,
    summary: `${at} is not valid JSON (${parsed.message}); fix the syntax there (JSON allows no comments, single quotes or trailing commas).`,
    ...(parsed.line === undefined ? {} : { line: parsed.line, column: parsed.column ?? 1 }),
  };
}
