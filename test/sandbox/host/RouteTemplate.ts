// Test infrastructure: the subset of ASP.NET route templates that Functions HTTP routes use --
// literal segments (case-insensitive), `{name}`, `{name?}`, `{name:constraint}`, `{*rest}` and parameters
// inside a segment (`{file}.{ext}`). Parameter values are URL-decoded, as the host passes them.

interface Parameter {
  readonly name: string;
  readonly optional: boolean;
  readonly catchAll: boolean;
}

const CONSTRAINTS: Record<string, string> = {
  int: '-?\\d+',
  long: '-?\\d+',
  bool: '(?:true|false)',
  guid: '[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}',
  alpha: '[A-Za-z]+',
};

export class RouteTemplate {
  private readonly pattern: RegExp;
  private readonly parameters: Parameter[] = [];
  /** Higher sorts first: more literal segments, then fewer optional or catch-all parameters. */
  readonly precedence: number;

  constructor(readonly template: string) {
    const segments = template
      .replace(/^\/+|\/+$/g, '')
      .split('/')
      .filter((s) => s !== '');
    let source = '^';
    let literals = 0;
    let loose = 0;
    for (const segment of segments) {
      const whole = /^\{([^{}]+)\}$/.exec(segment)?.[1];
      if (whole !== undefined && (whole.startsWith('*') || whole.endsWith('?'))) {
        const parameter = this.parameter(whole);
        source += parameter.catchAll ? '(?:/(.*))?' : `(?:/(${parameter.constraint}))?`;
        loose += parameter.catchAll ? 2 : 1;
        continue;
      }
      source += '/';
      let rest = segment;
      let hasParameter = false;
      while (rest.length > 0) {
        const open = rest.indexOf('{');
        if (open < 0) {
          source += escape(rest);
          break;
        }
        source += escape(rest.slice(0, open));
        const close = rest.indexOf('}', open);
        if (close < 0) throw new Error(`Unbalanced braces in route "${template}"`);
        const inner = this.parameter(rest.slice(open + 1, close));
        source += `(${inner.constraint})`;
        hasParameter = true;
        rest = rest.slice(close + 1);
      }
      if (!hasParameter) literals += 1;
    }
    this.pattern = new RegExp(`${source}/?$`, 'i');
    this.precedence = literals * 100 + (segments.length - literals) * 10 - loose;
  }

  /** The route parameters when `path` (below the route prefix, starting with '/') matches. */
  match(path: string): Record<string, string> | undefined {
    const found = this.pattern.exec(path);
    if (!found) return undefined;
    const params: Record<string, string> = {};
    this.parameters.forEach((p, i) => {
      const raw = found[i + 1];
      if (raw !== undefined) params[p.name] = p.catchAll ? raw.split('/').map(decode).join('/') : decode(raw);
    });
    return params;
  }

  private parameter(spec: string): Parameter & { constraint: string } {
    const catchAll = spec.startsWith('*');
    let body = catchAll ? spec.slice(1) : spec;
    const optional = body.endsWith('?');
    if (optional) body = body.slice(0, -1);
    const [name = '', ...constraints] = body.split(':').map((s) => s.split('=')[0] ?? '');
    const known = constraints.map((c) => CONSTRAINTS[c.toLowerCase().replace(/\(.*$/, '')]).find((c) => c);
    const parameter = { name, optional, catchAll };
    this.parameters.push(parameter);
    return { ...parameter, constraint: known ?? '[^/]+' };
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
