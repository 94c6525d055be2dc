// Pure: just enough of a Bicep reader for tests, with no Bicep CLI here. It knows comments, strings with
// ${} interpolation (which may hold strings again), ''' strings, brackets, the top-level declarations
// `targetScope`, `param` (with its default and decorators), `var`, `resource`, `module` and `output` (with
// its value). evaluateBicep computes the values of what it reads.

/** A `{ ... }` block: `code` has comments blanked; `masked` also blanks string contents. Same offsets. */
export interface BicepBlock {
  readonly code: string;
  readonly masked: string;
}

export interface BicepResource {
  readonly symbol: string;
  /** e.g. Microsoft.Authorization/roleAssignments */
  readonly type: string;
  readonly apiVersion: string;
  readonly existing: boolean;
  readonly body: BicepBlock;
}

export interface BicepModule {
  readonly symbol: string;
  /** As written, relative to the declaring file. */
  readonly path: string;
  readonly body: BicepBlock;
}

export interface BicepParam {
  readonly name: string;
  readonly hasDefault: boolean;
  /** The expression after `=`, when there is one. */
  readonly defaultValue?: BicepBlock;
  /** The decorators written above it, by name (`secure`, `metadata`): the code between their parentheses. */
  readonly decorators: ReadonlyMap<string, BicepBlock>;
}

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

export function guidsIn(text: string): string[] {
  return [...text.matchAll(GUID)].map((m) => m[0].toLowerCase());
}

/** The contents of the single-quoted string literals in an expression (escapes kept as written). */
export function stringLiterals(code: string): string[] {
  return [...code.matchAll(/'((?:[^'\\\n]|\\.)*)'/g)].map((m) => m[1] ?? '');
}

/** Identifiers outside string literals (function names included). */
export function identifiers(block: BicepBlock): string[] {
  return [...block.masked.matchAll(/(?<![\w.$])[A-Za-z_]\w*/g)].map((m) => m[0]);
}

export class BicepFile {
  readonly code: string;
  readonly masked: string;
  readonly problems: string[] = [];
  readonly targetScope: string;
  readonly params: BicepParam[] = [];
  readonly vars = new Map<string, BicepBlock>();
  readonly outputs: string[] = [];
  /** Output name -> its expression. */
  readonly outputValues = new Map<string, BicepBlock>();
  readonly resources: BicepResource[] = [];
  readonly modules: BicepModule[] = [];

  constructor(
    readonly path: string,
    text: string,
  ) {
    const scanned = scan(text);
    this.code = scanned.code;
    this.masked = scanned.masked;
    this.problems.push(...scanned.problems.map((p) => `${path}: ${p}`));
    this.targetScope = /^targetScope\s*=\s*'(\w+)'/m.exec(this.code)?.[1] ?? 'resourceGroup';

    const decorators = this.decorators();
    for (const m of this.topLevel(/^param\s+(\w+)\s+[^\n=]*?(?:(=)\s*(.*))?$/gm)) {
      const defaultAt = m[2] === undefined ? -1 : m.index + m[0].length - (m[3] ?? '').length;
      this.params.push({
        name: m[1] ?? '',
        hasDefault: m[2] !== undefined,
        ...(defaultAt < 0 ? {} : { defaultValue: this.valueAt(defaultAt) }),
        decorators: new Map(decorators.filter((d) => d.before === m.index).map((d) => [d.name, d.args])),
      });
    }
    for (const m of this.topLevel(/^var\s+(\w+)\s*=\s*/gm)) {
      this.vars.set(m[1] ?? '', this.valueAt(m.index + m[0].length));
    }
    for (const m of this.topLevel(/^output\s+(\w+)\s[^\n=]*=\s*/gm)) {
      this.outputs.push(m[1] ?? '');
      this.outputValues.set(m[1] ?? '', this.valueAt(m.index + m[0].length));
    }
    // Child resources declared inside a parent (`resource x 'config' = {`) have no @version: not matched.
    for (const m of this.topLevel(/^resource\s+(\w+)\s+'([^'@]+)@([^']+)'\s+(existing\s+)?=/gm)) {
      const body = this.blockAfter(m.index + m[0].length, `resource ${m[1]}`);
      if (body) {
        this.resources.push({
          symbol: m[1] ?? '',
          type: m[2] ?? '',
          apiVersion: m[3] ?? '',
          existing: m[4] !== undefined,
          body,
        });
      }
    }
    for (const m of this.topLevel(/^module\s+(\w+)\s+'([^']+)'\s*=/gm)) {
      const body = this.blockAfter(m.index + m[0].length, `module ${m[1]}`);
      if (body) this.modules.push({ symbol: m[1] ?? '', path: m[2] ?? '', body });
    }
  }

  resource(symbol: string): BicepResource | undefined {
    return this.resources.find((r) => r.symbol === symbol);
  }

  /**
   * Top-level decorators (`@name(...)`, possibly over several lines), each with the offset of the declaration
   * it decorates: the next line that is neither blank nor another decorator.
   */
  private decorators(): { name: string; args: BicepBlock; before: number }[] {
    const found: { name: string; args: BicepBlock; start: number; end: number }[] = [];
    for (const m of this.topLevel(/^@(\w+)\(/gm)) {
      const open = m.index + m[0].length - 1;
      const close = matching(this.masked, open);
      if (close < 0) continue;
      found.push({
        name: m[1] ?? '',
        args: { code: this.code.slice(open + 1, close), masked: this.masked.slice(open + 1, close) },
        start: m.index,
        end: close + 1,
      });
    }
    return found.map((d) => {
      let pos = d.end;
      for (;;) {
        const newline = this.code.indexOf('\n', pos);
        if (newline < 0) return { ...d, before: this.code.length };
        const lineStart = newline + 1;
        const next = found.find((e) => e.start === lineStart);
        if (next) pos = next.end;
        else if (
          /^[ \t]*(?:\n|$)/.test(
            this.code.slice(lineStart, this.code.indexOf('\n', lineStart) + 1 || undefined),
          )
        )
          pos = lineStart;
        else return { ...d, before: lineStart };
      }
    });
  }

  /** Matches of a /^...$/gm pattern at bracket depth 0 (declarations), found in `code`. */
  private topLevel(pattern: RegExp): RegExpExecArray[] {
    return [...this.code.matchAll(pattern)].filter((m) => depthAt(this.masked, m.index) === 0);
  }

  /** The value starting at `offset`: a bracketed block, or the rest of the line. */
  private valueAt(offset: number): BicepBlock {
    return valueAt({ code: this.code, masked: this.masked }, offset);
  }

  /** The first `{ ... }` after `offset` (after `= [for ...:` or `= if (...)`). */
  private blockAfter(offset: number, what: string): BicepBlock | undefined {
    const open = this.masked.indexOf('{', offset);
    const end = open < 0 ? -1 : matching(this.masked, open);
    if (end < 0) {
      this.problems.push(`${this.path}: ${what} has no complete { } body`);
      return undefined;
    }
    return { code: this.code.slice(open, end + 1), masked: this.masked.slice(open, end + 1) };
  }
}

/**
 * The value of a property of an object block, by path (`['properties', 'roleDefinitionId']`): a nested
 * block, or the expression to the end of its line. Only keys directly inside each object are considered.
 */
export function property(block: BicepBlock, path: readonly string[]): BicepBlock | undefined {
  let current: BicepBlock | undefined = block;
  for (const key of path) {
    if (!current) return undefined;
    current = ownProperty(current, key);
  }
  return current;
}

/** The keys directly inside an object block, in order. */
export function keys(block: BicepBlock): string[] {
  return [...block.code.matchAll(/^[ \t]*(\w+|'[^'\n]*')[ \t]*:/gm)]
    .filter((m) => depthAt(block.masked, m.index) === 1)
    .map((m) => (m[1] ?? '').replace(/^'|'$/g, ''));
}

/** The object elements `{ ... }` directly inside an array block. */
export function arrayObjects(block: BicepBlock): BicepBlock[] {
  const objects: BicepBlock[] = [];
  for (let i = 1; i < block.masked.length; i++) {
    if (block.masked[i] !== '{' || depthAt(block.masked, i) !== 1) continue;
    const end = matching(block.masked, i);
    if (end < 0) break;
    objects.push({ code: block.code.slice(i, end + 1), masked: block.masked.slice(i, end + 1) });
    i = end;
  }
  return objects;
}

function ownProperty(block: BicepBlock, key: string): BicepBlock | undefined {
  const keyPattern = new RegExp(`^[ \\t]*(?:${key}|'${key}')[ \\t]*:[ \\t]*`, 'gm');
  for (const m of block.code.matchAll(keyPattern)) {
    // Depth 1: directly inside the block's own braces.
    if (depthAt(block.masked, m.index) === 1) return valueAt(block, m.index + m[0].length);
  }
  return undefined;
}

function valueAt(source: BicepBlock, offset: number): BicepBlock {
  const first = source.masked[offset];
  let end: number;
  if (first === '{' || first === '[' || first === '(') {
    end = matching(source.masked, offset) + 1;
    // `[for x in y: {...}]` and calls: take the rest of that line too when the value continues.
    const lineEnd = source.masked.indexOf('\n', end);
    end = lineEnd < 0 ? source.masked.length : lineEnd;
  } else {
    // A value may open a bracket on its first line and close it lines later (`union(a, {`).
    end = offset;
    while (end < source.masked.length && source.masked[end] !== '\n') {
      const c = source.masked[end];
      if (c === '{' || c === '[' || c === '(') end = matching(source.masked, end);
      if (end < 0) return { code: source.code.slice(offset), masked: source.masked.slice(offset) };
      end += 1;
    }
  }
  return {
    code: source.code.slice(offset, end).trimEnd(),
    masked: source.masked.slice(offset, end).trimEnd(),
  };
}

const CLOSE: Readonly<Record<string, string>> = { '{': '}', '[': ']', '(': ')' };

function matching(masked: string, open: number): number {
  const stack: string[] = [];
  for (let i = open; i < masked.length; i++) {
    const c = masked[i] ?? '';
    if (c in CLOSE) stack.push(CLOSE[c] ?? '');
    else if (c === '}' || c === ']' || c === ')') {
      if (stack.pop() !== c) return -1;
      if (stack.length === 0) return i;
    }
  }
  return -1;
}

function depthAt(masked: string, offset: number): number {
  let depth = 0;
  for (let i = 0; i < offset; i++) {
    const c = masked[i];
    if (c === '{' || c === '[' || c === '(') depth++;
    else if (c === '}' || c === ']' || c === ')') depth--;
  }
  return depth;
}

/**
 * Blanks comments (in `code` and `masked`) and string contents (in `masked`), keeping offsets and newlines,
 * and reports unbalanced brackets and unterminated strings or comments. Interpolation delimiters `${` `}`
 * are blanked in `masked` too; the code inside them stays visible.
 */
function scan(text: string): { code: string; masked: string; problems: string[] } {
  // UTF-16 units, so that offsets agree with RegExp match indices.
  const code = text.split('');
  const masked = text.split('');
  const problems: string[] = [];
  const blank = (i: number, both: boolean): void => {
    if (text[i] === '\n') return;
    masked[i] = ' ';
    if (both) code[i] = ' ';
  };
  // Each frame is a string, or an interpolation / bracket inside code.
  type Frame =
    | { kind: 'string'; line: number }
    | { kind: 'bracket'; close: string; line: number; interpolation: boolean };
  const frames: Frame[] = [];
  let line = 1;
  let i = 0;
  const top = (): Frame | undefined => frames[frames.length - 1];

  while (i < text.length) {
    const c = text[i] ?? '';
    const frame = top();
    if (frame?.kind === 'string') {
      if (c === '\n') {
        problems.push(`line ${line}: a '...' string does not end on its line`);
        frames.pop();
        line++;
        i++;
      } else if (c === '\\') {
        blank(i, false);
        blank(i + 1, false);
        i += 2;
      } else if (c === '$' && text[i + 1] === '{') {
        blank(i, false);
        blank(i + 1, false);
        frames.push({ kind: 'bracket', close: '}', line, interpolation: true });
        i += 2;
      } else if (c === "'") {
        frames.pop();
        i++;
      } else {
        blank(i, false);
        i++;
      }
      continue;
    }
    if (c === '\n') {
      line++;
      i++;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') blank(i++, true);
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) problems.push(`line ${line}: a /* comment does not end`);
      const stop = end < 0 ? text.length : end + 2;
      for (; i < stop; i++) {
        if (text[i] === '\n') line++;
        blank(i, true);
      }
    } else if (text.startsWith("'''", i)) {
      const end = text.indexOf("'''", i + 3);
      if (end < 0) problems.push(`line ${line}: a ''' string does not end`);
      const stop = end < 0 ? text.length : end;
      for (i += 3; i < stop; i++) {
        if (text[i] === '\n') line++;
        blank(i, false);
      }
      i = stop + 3;
    } else if (c === "'") {
      frames.push({ kind: 'string', line });
      i++;
    } else if (c in CLOSE) {
      frames.push({ kind: 'bracket', close: CLOSE[c] ?? '', line, interpolation: false });
      i++;
    } else if (c === '}' || c === ']' || c === ')') {
      if (frame?.kind !== 'bracket' || frame.close !== c) {
        problems.push(
          `line ${line}: unexpected '${c}'${frame?.kind === 'bracket' ? ` (expected '${frame.close}')` : ''}`,
        );
      } else {
        frames.pop();
        if (frame.interpolation) blank(i, false);
      }
      i++;
    } else {
      i++;
    }
  }
  for (const frame of frames) {
    problems.push(
      frame.kind === 'string'
        ? `line ${frame.line}: a string does not end`
        : `line ${frame.line}: '${frame.close}' is missing for the bracket opened here`,
    );
  }
  return { code: code.join(''), masked: masked.join(''), problems };
}
