// Test infrastructure: keeps the rule sheet (RULES.md) honest. Every rule names a test file that exists and a
// test name that file holds as a string literal, the rules are numbered 1..n, and the stated count is n.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
const sheet = readFileSync(join(__dirname, 'RULES.md'), 'utf8');

interface RuleRow {
  number: number;
  file: string;
  testName: string;
}

/** Each `12. rule` item and its `- Proved by: \`file\` › test name` line. */
function rulesOf(markdown: string): RuleRow[] {
  const rows: RuleRow[] = [];
  for (const line of markdown.split('\n')) {
    const rule = /^(\d+)\. /.exec(line);
    if (rule) rows.push({ number: Number(rule[1]), file: '', testName: '' });
    const proof = /^\s+- Proved by: `([^`]+)` › (.+)$/.exec(line);
    const current = rows.at(-1);
    if (proof && current) [current.file, current.testName] = [proof[1] ?? '', (proof[2] ?? '').trim()];
  }
  return rows;
}

/** The name as a string literal of the file: a test title, an it.each row, a contract row's `name`. */
function holdsName(source: string, name: string): boolean {
  return ["'", '"', '`'].some((quote) => source.includes(`${quote}${name}${quote}`));
}

const rows = rulesOf(sheet);

describe('the rule sheet', () => {
  it('numbers its rules 1..n and states n as the count', () => {
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.map((row) => row.number)).toEqual(rows.map((_, index) => index + 1));
    expect(/^Rule count: (\d+)$/m.exec(sheet)?.[1]).toBe(String(rows.length));
  });

  it.each(rows)('rule $number is proved by an existing test: $testName', ({ file, testName }) => {
    const path = join(root, file);
    expect(existsSync(path), `${file} does not exist`).toBe(true);
    expect(holdsName(readFileSync(path, 'utf8'), testName), `${file} has no test named '${testName}'`).toBe(
      true,
    );
  });
});
