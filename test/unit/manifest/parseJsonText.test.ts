import { describe, expect, it } from 'vitest';
import { parseJsonText } from '../../../src/manifest/parseJsonText';

describe('parseJsonText', () => {
  it('parses valid JSON, including with a byte order mark', () => {
    expect(parseJsonText('{"a": [1, true, null]}')).toEqual({ ok: true, value: { a: [1, true, null] } });
    expect(parseJsonText('\uFEFF{"a": 1}')).toEqual({ ok: true, value: { a: 1 } });
  });

  it.each([
    ['trailing comma', '{\n  "a": 1,\n}', 3, 1],
    ['missing comma', '{\n  "a": 1\n  "b": 2\n}', 3, 3],
    ['single quotes', "{'a': 1}", 1, 2],
    ['a comment', '{"a": 1} // note', 1, 10],
    ['an unquoted value', '{\n  "a": yes\n}', 2, 8],
    ['a truncated literal', '{"a": tru}', 1, 10],
    ['an unterminated file', '{"a": [1, 2', 1, 12],
    ['an empty file', '', 1, 1],
    ['a control character in a string', '{"a": "x\ty"}', 1, 9],
  ])('locates %s', (_name, text, line, column) => {
    const parsed = parseJsonText(text);
    expect(parsed).toMatchObject({ ok: false, line, column });
    if (!parsed.ok) expect(parsed.message).not.toMatch(/position/);
  });
});
