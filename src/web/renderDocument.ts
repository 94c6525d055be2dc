// Pure: the HTML shell shared by bricklane's pages: readable on a phone, no script, inline CSS only
// (the pages are served with CSP `default-src 'none'; style-src 'unsafe-inline'`).
import { escapeHtml } from './escapeHtml';

export type PageTone = 'neutral' | 'ok' | 'warn' | 'error';

const STYLE = `
:root { color-scheme: light dark; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg: #fff;
  --soft: #f6f8fa; --ok: #1a7f37; --warn: #9a6700; --error: #cf222e; --accent: #0969da; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9198a1; --line: #3d444d;
  --bg: #0d1117; --soft: #161b22; --ok: #3fb950; --warn: #d29922; --error: #f85149; --accent: #4493f8; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); line-height: 1.5;
  font: 16px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
main { max-width: 46rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.5rem; margin: 0.25rem 0 1rem; } h2 { font-size: 1.2rem; margin: 1.5rem 0 0.5rem; }
h3 { font-size: 1rem; margin: 1rem 0 0.25rem; }
.eyebrow { color: var(--muted); font-size: 0.85rem; margin: 0; text-transform: uppercase; letter-spacing: 0.05em; }
.tone-ok h1 { color: var(--ok); } .tone-warn h1 { color: var(--warn); } .tone-error h1 { color: var(--error); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0; }
dt { color: var(--muted); } dd { margin: 0; overflow-wrap: anywhere; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; overflow-wrap: anywhere; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 0.75rem 1rem; background: var(--soft); }
.counts { color: var(--muted); margin: 0 0 0.25rem; }
ul.steps { list-style: none; padding: 0; margin: 0; }
ul.steps li { border-top: 1px solid var(--line); padding: 0.4rem 0; }
.badge { display: inline-block; min-width: 4.5rem; font-size: 0.8rem; font-weight: 600; text-align: center;
  border-radius: 999px; padding: 0 0.5rem; margin-right: 0.5rem; border: 1px solid currentColor; }
.badge.create { color: var(--ok); } .badge.update { color: var(--accent); } .badge.delete { color: var(--error); }
.badge.unchanged { color: var(--muted); } .sub { color: var(--muted); font-size: 0.9rem; margin-left: 0.25rem; }
.drift { color: var(--warn); font-size: 0.9rem; }
.notice { border-left: 4px solid var(--warn); padding: 0.5rem 0.75rem; background: var(--soft); }
label { display: block; font-weight: 600; margin: 0.75rem 0 0.25rem; }
textarea { width: 100%; font: inherit; padding: 0.5rem; border: 1px solid var(--line); border-radius: 6px;
  background: var(--bg); color: var(--fg); }
.buttons { display: flex; gap: 0.75rem; flex-wrap: wrap; margin-top: 0.75rem; }
button { flex: 1 1 10rem; font: inherit; font-weight: 600; padding: 0.75rem 1rem; border-radius: 6px;
  border: 1px solid transparent; color: #fff; cursor: pointer; }
button.approve { background: var(--ok); } button.reject { background: var(--error); }
button:disabled { opacity: 0.5; cursor: not-allowed; }
.note { color: var(--muted); font-size: 0.9rem; }
`;

export function renderDocument(title: string, body: string, tone: PageTone = 'neutral'): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // Approval pages are reached by secret links; search engines must not keep them.
    '<meta name="robots" content="noindex, nofollow">',
    `<title>${escapeHtml(title)} · bricklane</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    `<body class="tone-${tone}">`,
    `<main>${body}</main>`,
    '</body>',
    '</html>',
  ].join('\n');
}
