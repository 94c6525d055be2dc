// Pure: JSON.parse that reports where a file is broken (1-based line and column) instead of throwing.
import type { ParsedJson } from './Bundle';

export function parseJsonText(text: string): ParsedJson {
  // Editors on Windows save a byte order mark, which JSON.parse rejects.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch (error) {
    const raw = error instanceof Error ? error.message : String(error);
    const offset = errorOffset(body, raw);
    const message = raw
      .replace(/( in JSON)? at position \d+.*$/, '')
      .replace(/, ".*" is not valid JSON$/s, '');
    return offset === undefined
      ? { ok: false, message }
      : { ok: false, message, ...lineAndColumn(body, offset) };
  }
}

function errorOffset(text: string, message: string): number | undefined {
  const position = /at position (\d+)/.exec(message);
  if (position?.[1] !== undefined) return Number(position[1]);
  if (/end of JSON input/.test(message)) return text.length;
  // V8 leaves the position out of "Unexpected token 'x', "..." is not valid JSON": find it ourselves.
  return scanForError(text);
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lastBreak = before.lastIndexOf('\n');
  return { line: before.split('\n').length, column: offset - lastBreak };
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** Offset of the first character a strict JSON reader rejects; undefined when the text is valid. */
function scanForError(text: string): number | undefined {
  let i = 0;
  const skipSpace = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text.charAt(i))) i++;
  };
  const word = (w: string): boolean => {
    for (const ch of w) {
      if (text.charAt(i) !== ch) return false;
      i++;
    }
    return true;
  };
  const string = (): boolean => {
    i++;
    while (i < text.length) {
      const ch = text.charAt(i);
      if (ch === '"') {
        i++;
        return true;
      }
      if (ch < ' ') return false;
      if (ch === '\\') {
        const esc = text.charAt(i + 1);
        if (esc === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else if (esc !== '' && '"\\/bfnrt'.includes(esc)) i += 2;
        else return false;
      } else i++;
    }
    return false;
  };
  const value = (): boolean => {
    skipSpace();
    const ch = text.charAt(i);
    if (ch === '{' || ch === '[') {
      const close = ch === '{' ? '}' : ']';
      i++;
      skipSpace();
      if (text.charAt(i) === close) {
        i++;
        return true;
      }
      for (;;) {
        if (ch === '{') {
          skipSpace();
          if (text.charAt(i) !== '"' || !string()) return false;
          skipSpace();
          if (text.charAt(i) !== ':') return false;
          i++;
        }
        if (!value()) return false;
        skipSpace();
        if (text.charAt(i) === ',') i++;
        else if (text.charAt(i) === close) {
          i++;
          return true;
        } else return false;
      }
    }
    if (ch === '"') return string();
    if (ch === 't') return word('true');
    if (ch === 'f') return word('false');
    if (ch === 'n') return word('null');
    NUMBER.lastIndex = i;
    const match = NUMBER.exec(text);
    if (!match) return false;
    i += match[0].length;
    return true;
  };
  try {
    if (value()) {
      skipSpace();
      if (i === text.length) return undefined;
    }
    return i;
  } catch {
    return undefined; // nesting deep enough to overflow the stack: report without a position
  }
}
