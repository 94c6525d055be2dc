// One line per diagnostic, the file named once.
import { describe, expect, it } from 'vitest';
import { describeDiagnostic } from '../../../src/manifest/describeDiagnostic';
import { malformedJsonDiagnostic } from '../../../src/manifest/malformedJsonDiagnostic';

describe('describeDiagnostic', () => {
  it('names the file once when the summary starts with it (malformed JSON at a line and column)', () => {
    const d = malformedJsonDiagnostic('clusters/medium.json', {
      ok: false,
      message: 'Unexpected token',
      line: 10,
      column: 33,
    });
    expect(describeDiagnostic(d)).toMatch(/^clusters\/medium\.json:10:33 is not valid JSON/);
    expect(describeDiagnostic(d).match(/clusters\/medium\.json/g)).toHaveLength(1);
  });

  it('prefixes the file and the path otherwise, and folds line breaks into one line', () => {
    expect(describeDiagnostic({ file: 'jobs/a.json', path: 'tasks[0]', summary: 'needs a task_key' })).toBe(
      'jobs/a.json tasks[0]: needs a task_key',
    );
    expect(describeDiagnostic({ file: 'jobs/a.json', summary: 'first\n  second\r\nthird' })).toBe(
      'jobs/a.json: first second third',
    );
  });
});
