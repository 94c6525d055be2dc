// Pure: content negotiation for the status routes. A browser's Accept ranks text/html above everything;
// fetch, curl and the SDKs send `*/*` or application/json and keep getting JSON, as they always have.
// Ranking follows RFC 9110 §12.5.1: a type's quality comes from the most specific range that matches it.

/** `format=html|json` in the query wins (a person can look at the JSON in a browser); else the Accept header. */
export function prefersHtml(accept: string | null | undefined, format?: string | null): boolean {
  if (format === 'html') return true;
  if (format === 'json') return false;
  if (!accept) return false;
  const ranges = accept.split(',').map(parseRange);
  const html = qualityOf(ranges, 'text', 'html');
  return html > 0 && html > qualityOf(ranges, 'application', 'json');
}

interface MediaRange {
  type: string;
  subtype: string;
  q: number;
}

function parseRange(text: string): MediaRange {
  const [mediaType = '', ...params] = text.split(';').map((p) => p.trim().toLowerCase());
  const [type = '', subtype = ''] = mediaType.split('/');
  let q = 1;
  for (const param of params) {
    const [name, value] = param.split('=').map((p) => p.trim());
    if (name !== 'q') continue;
    const parsed = Number(value);
    q = Number.isFinite(parsed) ? Math.min(Math.max(parsed, 0), 1) : 0;
  }
  return { type, subtype, q };
}

function qualityOf(ranges: readonly MediaRange[], type: string, subtype: string): number {
  let best: { specificity: number; q: number } = { specificity: -1, q: 0 };
  for (const range of ranges) {
    const specificity =
      range.type === type && range.subtype === subtype
        ? 2
        : range.type === type && range.subtype === '*'
          ? 1
          : range.type === '*' && range.subtype === '*'
            ? 0
            : -1;
    if (specificity > best.specificity) best = { specificity, q: range.q };
  }
  return best.q;
}
