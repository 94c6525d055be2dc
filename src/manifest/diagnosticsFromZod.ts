// Pure: schema issues as diagnostics that say where the value is and what it must be.
import type { z } from 'zod';
import type { Diagnostic } from './Bundle';
import { fieldLabel } from './fieldLabel';
import { jsonPath } from './jsonPath';

export interface ZodDiagnosticOptions {
  file: string;
  code: string;
  /** The API document the file follows, named in every summary, e.g. 'Clusters API clusters/create'. */
  reference: string;
  /** Maps a path in the parsed value to the path in the file (they differ for converted 2.0 jobs). */
  pathOf?: (segments: readonly PropertyKey[]) => string;
}

const NOUNS: Record<string, string> = {
  int: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  record: 'an object',
};

export function diagnosticsFromZod(
  issues: readonly z.core.$ZodIssue[],
  { file, code, reference, pathOf = jsonPath }: ZodDiagnosticOptions,
): Diagnostic[] {
  return issues.map((issue) => {
    const path = pathOf(issue.path);
    return {
      severity: 'error',
      code,
      file,
      path,
      summary: `${fieldLabel(issue.path)} ${problem(issue)}; fix it (${reference}).`,
    };
  });
}

function problem(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type': {
      const received = /received (\w+)/.exec(issue.message)?.[1];
      const expected = NOUNS[issue.expected] ?? issue.expected;
      return received === 'undefined'
        ? `is required (${expected})`
        : `must be ${expected}, not ${received ?? 'this'}`;
    }
    case 'too_small':
      if (issue.origin === 'string') return 'must not be empty';
      if (issue.origin === 'array') return `must have at least ${issue.minimum} item(s)`;
      return `must be at least ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters long`;
      return `must be at most ${issue.maximum}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
      return issue.format === 'regex' && 'pattern' in issue
        ? `must match ${String(issue.pattern)}`
        : `must be a valid ${issue.format}`;
    case 'unrecognized_keys':
      return `has unknown key(s) ${issue.keys.map((k) => `\`${k}\``).join(', ')}; remove them`;
    default:
      return issue.message;
  }
}
