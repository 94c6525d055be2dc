// Pure: evaluates a Bicep expression (as BicepFile gives it, comments blanked) against a scope, for tests that
// need the values infra produces, with no Bicep CLI here. It knows literals, strings with ${} interpolation,
// objects and arrays (one entry per line, or comma-separated), member and index access, calls, lambdas
// (`x => ...`), `!`, `==`, `!=`, `&&`, `||`, `??` and `c ? a : b`, and the functions in FUNCTIONS below.
// Whatever else it meets throws, naming it, so a test can never pass on an expression it did not understand.

export interface BicepScope {
  /** A param, var, resource, module or lambda parameter; throws when unknown. */
  lookup(name: string): unknown;
  /** Functions the deployment provides (`tenant()`, `list(...)`); undefined when it has none by that name. */
  call?(name: string, args: readonly unknown[]): { value: unknown } | undefined;
}

type Token =
  | { kind: 'punct'; text: string; newlineBefore: boolean }
  | { kind: 'ident'; text: string; newlineBefore: boolean }
  | { kind: 'number'; value: number; newlineBefore: boolean }
  | { kind: 'string'; parts: (string | Node)[]; newlineBefore: boolean };

type Node =
  | { kind: 'literal'; value: unknown }
  | { kind: 'template'; parts: (string | Node)[] }
  | { kind: 'name'; name: string }
  | { kind: 'member'; target: Node; name: string; safe: boolean }
  | { kind: 'index'; target: Node; index: Node }
  | { kind: 'call'; callee: Node; args: Node[] }
  | { kind: 'lambda'; params: string[]; body: Node }
  | { kind: 'object'; entries: [string, Node][] }
  | { kind: 'array'; items: Node[] }
  | { kind: 'unary'; op: string; operand: Node }
  | { kind: 'binary'; op: string; left: Node; right: Node }
  | { kind: 'ternary'; test: Node; then: Node; else: Node };

export class BicepEvaluationError extends Error {
  readonly code = 'BicepEvaluation';
}

export function evaluateBicep(expression: string, scope: BicepScope): unknown {
  return evaluate(parseBicep(expression), scope);
}

export function parseBicep(expression: string): Node {
  const parser = new Parser(tokenize(expression));
  const node = parser.expression();
  parser.end();
  return node;
}

const PUNCT = [
  '=>',
  '==',
  '!=',
  '&&',
  '||',
  '??',
  '?.',
  '{',
  '}',
  '[',
  ']',
  '(',
  ')',
  ',',
  ':',
  '.',
  '?',
  '!',
];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let newlineBefore = false;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c === '\n') {
      newlineBefore = true;
      i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      if (text.startsWith("'''", i)) throw new BicepEvaluationError("''' strings are not supported");
      const { parts, end } = readString(text, i + 1);
      tokens.push({ kind: 'string', parts, newlineBefore });
      i = end;
      newlineBefore = false;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_]\w*/.exec(text.slice(i));
      tokens.push({ kind: 'ident', text: m?.[0] ?? c, newlineBefore });
      i += m?.[0].length ?? 1;
      newlineBefore = false;
    } else if (/\d/.test(c)) {
      const m = /^\d+/.exec(text.slice(i));
      tokens.push({ kind: 'number', value: Number(m?.[0]), newlineBefore });
      i += m?.[0].length ?? 1;
      newlineBefore = false;
    } else {
      const p = PUNCT.find((candidate) => text.startsWith(candidate, i));
      if (!p) throw new BicepEvaluationError(`unexpected character '${c}' in "${text.trim()}"`);
      tokens.push({ kind: 'punct', text: p, newlineBefore });
      i += p.length;
      newlineBefore = false;
    }
  }
  return tokens;
}

/** A '...' string from just after its quote: literal pieces and parsed ${} expressions, and where it ends. */
function readString(text: string, start: number): { parts: (string | Node)[]; end: number } {
  const parts: (string | Node)[] = [];
  let literal = '';
  let i = start;
  const escapes: Readonly<Record<string, string>> = {
    n: '\n',
    r: '\r',
    t: '\t',
    "'": "'",
    '\\': '\\',
    $: '$',
  };
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c === "'") {
      if (literal) parts.push(literal);
      return { parts, end: i + 1 };
    }
    if (c === '\\') {
      const escaped = escapes[text[i + 1] ?? ''];
      if (escaped === undefined) throw new BicepEvaluationError(`unknown escape \\${text[i + 1]}`);
      literal += escaped;
      i += 2;
    } else if (c === '$' && text[i + 1] === '{') {
      const close = interpolationEnd(text, i + 2);
      if (literal) parts.push(literal);
      literal = '';
      parts.push(parseBicep(text.slice(i + 2, close)));
      i = close + 1;
    } else {
      literal += c;
      i++;
    }
  }
  throw new BicepEvaluationError('a string does not end');
}

/** The offset of the `}` that closes an interpolation starting at `start`, skipping nested strings. */
function interpolationEnd(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === "'") i = readString(text, i + 1).end - 1;
    else if (c === '{') depth++;
    else if (c === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  throw new BicepEvaluationError('an interpolation does not end');
}

class Parser {
  private at = 0;

  constructor(private readonly tokens: Token[]) {}

  end(): void {
    const rest = this.tokens[this.at];
    if (rest) throw new BicepEvaluationError(`unexpected ${describe(rest)} after the expression`);
  }

  expression(): Node {
    const test = this.binary(0);
    if (!this.accept('?')) return test;
    const then = this.expression();
    this.expect(':');
    return { kind: 'ternary', test, then, else: this.expression() };
  }

  private static readonly LEVELS: readonly (readonly string[])[] = [['??'], ['||'], ['&&'], ['==', '!=']];

  private binary(level: number): Node {
    const ops = Parser.LEVELS[level];
    if (!ops) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      const op = ops.find((o) => this.peekPunct(o));
      if (!op) return left;
      this.at++;
      left = { kind: 'binary', op, left, right: this.binary(level + 1) };
    }
  }

  private unary(): Node {
    if (this.accept('!')) return { kind: 'unary', op: '!', operand: this.unary() };
    return this.postfix(this.primary());
  }

  private postfix(node: Node): Node {
    for (;;) {
      const next = this.tokens[this.at];
      if (next?.kind !== 'punct') return node;
      if (next.text === '.' || next.text === '?.') {
        this.at++;
        node = { kind: 'member', target: node, name: this.identifier(), safe: next.text === '?.' };
      } else if (next.text === '[' && !next.newlineBefore) {
        this.at++;
        const index = this.expression();
        this.expect(']');
        node = { kind: 'index', target: node, index };
      } else if (next.text === '(' && !next.newlineBefore) {
        this.at++;
        node = { kind: 'call', callee: node, args: this.list(')') };
      } else {
        return node;
      }
    }
  }

  private primary(): Node {
    const token = this.tokens[this.at++];
    if (!token) throw new BicepEvaluationError('the expression ends too early');
    if (token.kind === 'string') {
      return token.parts.every((p) => typeof p === 'string')
        ? { kind: 'literal', value: token.parts.join('') }
        : { kind: 'template', parts: token.parts };
    }
    if (token.kind === 'number') return { kind: 'literal', value: token.value };
    if (token.kind === 'ident') {
      if (token.text === 'true' || token.text === 'false')
        return { kind: 'literal', value: token.text === 'true' };
      if (token.text === 'null') return { kind: 'literal', value: null };
      if (this.accept('=>')) return { kind: 'lambda', params: [token.text], body: this.expression() };
      return { kind: 'name', name: token.text };
    }
    switch (token.text) {
      case '(': {
        const lambda = this.lambdaParams();
        if (lambda) return { kind: 'lambda', params: lambda, body: this.expression() };
        const inner = this.expression();
        this.expect(')');
        return inner;
      }
      case '[':
        return { kind: 'array', items: this.list(']') };
      case '{':
        return this.object();
      default:
        throw new BicepEvaluationError(`unexpected ${describe(token)}`);
    }
  }

  /** After `(`: `a, b) =>` gives the parameter names; anything else rewinds. */
  private lambdaParams(): string[] | undefined {
    const start = this.at;
    const names: string[] = [];
    for (;;) {
      const token = this.tokens[this.at];
      if (token?.kind !== 'ident') break;
      names.push(token.text);
      this.at++;
      if (this.accept(')')) {
        if (this.accept('=>')) return names;
        break;
      }
      if (!this.accept(',')) break;
    }
    this.at = start;
    return undefined;
  }

  private object(): Node {
    const entries: [string, Node][] = [];
    while (!this.accept('}')) {
      const key = this.tokens[this.at++];
      let name: string;
      if (key?.kind === 'ident') name = key.text;
      else if (key?.kind === 'string' && key.parts.every((p) => typeof p === 'string'))
        name = key.parts.join('');
      else throw new BicepEvaluationError(`unexpected ${key ? describe(key) : 'end'} as an object key`);
      this.expect(':');
      entries.push([name, this.expression()]);
      this.accept(',');
    }
    return { kind: 'object', entries };
  }

  /** Items up to `close`, separated by commas or line breaks. */
  private list(close: string): Node[] {
    const items: Node[] = [];
    while (!this.accept(close)) {
      items.push(this.expression());
      this.accept(',');
    }
    return items;
  }

  private identifier(): string {
    const token = this.tokens[this.at++];
    if (token?.kind !== 'ident') throw new BicepEvaluationError('a property name is missing');
    return token.text;
  }

  private peekPunct(text: string): boolean {
    const token = this.tokens[this.at];
    return token?.kind === 'punct' && token.text === text;
  }

  private accept(text: string): boolean {
    if (!this.peekPunct(text)) return false;
    this.at++;
    return true;
  }

  private expect(text: string): void {
    if (!this.accept(text)) {
      const token = this.tokens[this.at];
      throw new BicepEvaluationError(`expected '${text}', found ${token ? describe(token) : 'the end'}`);
    }
  }
}

function describe(token: Token): string {
  if (token.kind === 'punct' || token.kind === 'ident') return `'${token.text}'`;
  return token.kind;
}

interface Lambda {
  readonly lambda: (...args: unknown[]) => unknown;
}

function evaluate(node: Node, scope: BicepScope): unknown {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'template':
      return node.parts.map((p) => (typeof p === 'string' ? p : text(evaluate(p, scope)))).join('');
    case 'name':
      return scope.lookup(node.name);
    case 'member': {
      const target = evaluate(node.target, scope);
      if (target === null || target === undefined) {
        if (node.safe) return null;
        throw new BicepEvaluationError(`.${node.name} of ${String(target)}`);
      }
      if (typeof target !== 'object' || !(node.name in target)) {
        if (node.safe) return null;
        throw new BicepEvaluationError(`no property ${node.name}`);
      }
      return (target as Record<string, unknown>)[node.name];
    }
    case 'index': {
      const target = evaluate(node.target, scope);
      const index = evaluate(node.index, scope);
      if (Array.isArray(target) && typeof index === 'number') return target[index];
      if (typeof target === 'object' && target !== null && typeof index === 'string') {
        return (target as Record<string, unknown>)[index];
      }
      throw new BicepEvaluationError('an index that cannot be evaluated');
    }
    case 'call': {
      if (node.callee.kind !== 'name') throw new BicepEvaluationError('only named functions can be called');
      const args = node.args.map((a) => evaluate(a, scope));
      const provided = scope.call?.(node.callee.name, args);
      if (provided) return provided.value;
      const fn = FUNCTIONS[node.callee.name];
      if (!fn) throw new BicepEvaluationError(`the function ${node.callee.name}() is not supported`);
      return fn(...args);
    }
    case 'lambda': {
      const lambda: Lambda = {
        lambda: (...args) =>
          evaluate(node.body, {
            ...scope,
            lookup: (name) => {
              const at = node.params.indexOf(name);
              return at >= 0 ? args[at] : scope.lookup(name);
            },
          }),
      };
      return lambda;
    }
    case 'object':
      return Object.fromEntries(node.entries.map(([key, value]) => [key, evaluate(value, scope)]));
    case 'array':
      return node.items.map((item) => evaluate(item, scope));
    case 'unary':
      return !truthy(evaluate(node.operand, scope));
    case 'binary': {
      const left = evaluate(node.left, scope);
      switch (node.op) {
        case '??':
          return left ?? evaluate(node.right, scope);
        case '||':
          return truthy(left) || truthy(evaluate(node.right, scope));
        case '&&':
          return truthy(left) && truthy(evaluate(node.right, scope));
        case '==':
          return equal(left, evaluate(node.right, scope));
        default:
          return !equal(left, evaluate(node.right, scope));
      }
    }
    case 'ternary':
      return truthy(evaluate(node.test, scope)) ? evaluate(node.then, scope) : evaluate(node.else, scope);
  }
}

function truthy(value: unknown): boolean {
  if (typeof value !== 'boolean')
    throw new BicepEvaluationError(`a condition is ${typeof value}, not a bool`);
  return value;
}

function equal(a: unknown, b: unknown): boolean {
  // Bicep's == is case-sensitive (=~ is the case-insensitive one, not supported here).
  return JSON.stringify(a) === JSON.stringify(b);
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new BicepEvaluationError(`interpolating ${value === null ? 'null' : typeof value}`);
}

function array(value: unknown, fn: string): unknown[] {
  if (!Array.isArray(value)) throw new BicepEvaluationError(`${fn}() takes an array`);
  return value;
}

function lambda(value: unknown, fn: string): (...args: unknown[]) => unknown {
  if (typeof value === 'object' && value !== null && 'lambda' in value) return (value as Lambda).lambda;
  throw new BicepEvaluationError(`${fn}() takes a lambda`);
}

function str(value: unknown, fn: string): string {
  if (typeof value !== 'string') throw new BicepEvaluationError(`${fn}() takes a string`);
  return value;
}

// Semantics from https://learn.microsoft.com/azure/azure-resource-manager/bicep/bicep-functions
const FUNCTIONS: Readonly<Record<string, (...args: unknown[]) => unknown>> = {
  toUpper: (s) => str(s, 'toUpper').toUpperCase(),
  toLower: (s) => str(s, 'toLower').toLowerCase(),
  empty: (v) =>
    v === null ||
    v === '' ||
    (Array.isArray(v) && v.length === 0) ||
    (typeof v === 'object' && Object.keys(v as object).length === 0),
  join: (items, separator) => array(items, 'join').map(text).join(str(separator, 'join')),
  map: (items, fn) => array(items, 'map').map((item, i) => lambda(fn, 'map')(item, i)),
  filter: (items, fn) => array(items, 'filter').filter((item, i) => truthy(lambda(fn, 'filter')(item, i))),
  flatten: (items) => array(items, 'flatten').flatMap((inner) => array(inner, 'flatten')),
  toObject: (items, key, value) =>
    Object.fromEntries(
      array(items, 'toObject').map((item) => [
        str(lambda(key, 'toObject')(item), 'toObject'),
        value === undefined ? item : lambda(value, 'toObject')(item),
      ]),
    ),
  // Objects: later properties win, as in Bicep's union(); arrays: the values once, in order.
  union: (...values) =>
    values.every(Array.isArray)
      ? [...new Set(values.flatMap((v) => v as unknown[]).map((v) => JSON.stringify(v)))].map(
          (v) => JSON.parse(v) as unknown,
        )
      : Object.assign({}, ...values.map((v) => v as object)),
  take: (value, count) =>
    typeof count !== 'number'
      ? (() => {
          throw new BicepEvaluationError('take() takes a count');
        })()
      : typeof value === 'string'
        ? value.slice(0, count)
        : array(value, 'take').slice(0, count),
  string: (value) => (typeof value === 'string' ? value : JSON.stringify(value)),
  contains: (container, item) =>
    typeof container === 'string'
      ? container.includes(str(item, 'contains'))
      : Array.isArray(container)
        ? container.some((v) => equal(v, item))
        : typeof container === 'object' && container !== null && str(item, 'contains') in container,
};
