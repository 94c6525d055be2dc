// Pure: one diagnostic as one line of text, `<file> [<path>]: <summary>`, for the CLI, the release status
// and the sandbox. A summary that already starts with its file (`clusters/medium.json:10:33 is not valid
// JSON`) is not prefixed again; line breaks in a summary are folded so that a diagnostic stays one line.
import type { Diagnostic } from './Bundle';

export function describeDiagnostic(d: Pick<Diagnostic, 'file' | 'path' | 'summary'>): string {
  const summary = d.summary.replace(/\s*[\r\n]+\s*/g, ' ');
  const where = `${d.file}${d.path ? ` ${d.path}` : ''}`;
  return !d.path && summary.startsWith(d.file) ? summary : `${where}: ${summary}`;
}
