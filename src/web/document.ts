// Pure: the HTML document of bricklane's pages: readable on a phone, no script, inline CSS only (the pages
// are served with CSP `default-src 'none'; style-src 'unsafe-inline'`). renderDocument is the shell of every
// page; statusPageDocument adds the status pages' styles and their refresh.
import { escapeHtml } from './html';

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
section.safety { border: 2px solid var(--warn); border-radius: 8px; padding: 0.25rem 1rem 0.75rem; margin: 1rem 0; }
section.safety h2 { margin-top: 0.5rem; color: var(--warn); }
ul.safety-list { list-style: none; padding: 0; margin: 0; } ul.safety-list > li { padding: 0.3rem 0; }
ul.diff { list-style: none; margin: 0.2rem 0 0 1rem; padding: 0; font-size: 0.9rem; overflow-wrap: anywhere; }
ul.steps ul.diff li { border-top: 0; padding: 0.1rem 0; }
del { color: var(--error); } ins { color: var(--ok); text-decoration: none; font-weight: 600; }
.unset { color: var(--muted); }
details.file-diff { border: 1px solid var(--line); border-radius: 6px; margin: 0.4rem 0; min-width: 0; }
details.file-diff > summary { cursor: pointer; padding: 0.3rem 0.6rem; overflow-wrap: anywhere; }
details.file-diff > p { margin: 0.25rem 0.6rem; }
.diff-counts { font-size: 0.9rem; white-space: nowrap; }
pre.code-diff { margin: 0; padding: 0.3rem 0; overflow-x: auto; border-top: 1px solid var(--line);
  font: 0.8rem/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre.code-diff .ln { display: block; min-width: max-content; padding: 0 0.6rem; white-space: pre; }
pre.code-diff .add { background: color-mix(in srgb, var(--ok) 16%, transparent); }
pre.code-diff .del { background: color-mix(in srgb, var(--error) 16%, transparent); }
pre.code-diff .hunk { color: var(--muted); background: var(--soft); }
`;

/** The shell shared by bricklane's pages. */
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

const STATUS_STYLE = `
.st { display: inline-block; font-size: 0.85rem; font-weight: 600; border-radius: 999px; padding: 0 0.6rem;
  border: 1px solid currentColor; white-space: nowrap; }
.st-ok { color: var(--ok); } .st-busy { color: var(--accent); } .st-wait { color: var(--warn); }
.st-bad { color: var(--error); } .st-stale { color: var(--muted); } .st-idle { color: var(--muted); }
h1 .st { font-size: 1rem; vertical-align: middle; }
ol.pipeline { list-style: none; padding: 0; margin: 1rem 0; display: flex; align-items: stretch; gap: 0.5rem; }
ol.pipeline li.stage { flex: 1 1 0; min-width: 0; border: 1px solid var(--line); border-top-width: 6px;
  border-radius: 8px; padding: 0.6rem 0.75rem; background: var(--soft); overflow-wrap: anywhere; }
ol.pipeline li.arrow { flex: 0 0 auto; align-self: center; color: var(--muted); font-size: 1.4rem; }
ol.pipeline li.arrow::before { content: "\\2192"; }
li.stage .env { display: block; font-weight: 700; font-size: 1.1rem; }
li.stage .what { display: block; font-size: 0.9rem; margin-top: 0.35rem; }
ol.pipeline li.stage-ok { border-top-color: var(--ok); } ol.pipeline li.stage-busy { border-top-color: var(--accent); }
ol.pipeline li.stage-wait { border-top-color: var(--warn); } ol.pipeline li.stage-bad { border-top-color: var(--error); }
a.action { display: inline-block; margin-top: 0.35rem; font-weight: 600; padding: 0.3rem 0.75rem;
  border-radius: 6px; background: var(--warn); color: #fff; text-decoration: none; }
a { color: var(--accent); }
.message { color: var(--error); } .comment { font-style: italic; }
section.stage-detail { border-top: 1px solid var(--line); margin-top: 1rem; padding-top: 0.25rem; }
section.stage-detail h3 { display: flex; gap: 0.5rem; align-items: center; flex-wrap: wrap; }
details.kind { border: 1px solid var(--line); border-radius: 6px; padding: 0.3rem 0.6rem; margin: 0.35rem 0; }
details.kind summary { cursor: pointer; }
.kind-name { font-weight: 600; margin-right: 0.5rem; }
.chips { display: inline-flex; flex-wrap: wrap; gap: 0.25rem 0.6rem; font-size: 0.9rem; }
.chip.zero { color: var(--muted); } .chip.create { color: var(--ok); } .chip.update { color: var(--accent); }
.chip.delete { color: var(--error); } .chip.drift { color: var(--warn); }
ul.releases { list-style: none; padding: 0; margin: 0; display: grid; gap: 0.75rem; }
ul.releases .head { display: flex; gap: 0.5rem; flex-wrap: wrap; align-items: center; justify-content: space-between; }
ul.releases .stages { display: flex; flex-wrap: wrap; gap: 0.25rem 0.75rem; margin: 0.35rem 0; font-size: 0.9rem; }
ul.releases .stages .st { font-size: 0.8rem; }
ul.releases .meta { color: var(--muted); font-size: 0.9rem; overflow-wrap: anywhere; }
.links { display: flex; gap: 1rem; flex-wrap: wrap; }
ol.lanes { list-style: none; padding: 0; margin: 0.5rem 0; }
ol.lanes li { display: grid; grid-template-columns: 4.5rem 1fr; gap: 0.5rem; align-items: center; margin: 0.3rem 0; }
.lane-name { font-weight: 600; overflow-wrap: anywhere; }
.lane { position: relative; display: block; height: 1.2rem; background: var(--soft); border: 1px solid var(--line);
  border-radius: 4px; overflow: hidden; }
.lane .bar { position: absolute; top: 0; bottom: 0; }
.bar-plan { background: var(--accent); } .bar-apply { background: var(--ok); }
.bar-approval { background: repeating-linear-gradient(45deg, var(--warn) 0 4px, transparent 4px 8px); }
.bar-lock { background: repeating-linear-gradient(45deg, var(--muted) 0 4px, transparent 4px 8px); }
.lane .part { top: 50%; background: var(--accent); border-left: 1px solid var(--soft); overflow: hidden;
  font-size: 0.55rem; line-height: 1; white-space: nowrap; color: var(--soft); }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
.legend { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; font-size: 0.85rem; color: var(--muted); }
.swatch { display: inline-block; width: 1.5rem; height: 0.8rem; margin-right: 0.35rem; vertical-align: middle;
  border: 1px solid var(--line); }
@media (max-width: 40rem) {
  ol.pipeline { flex-direction: column; }
  ol.pipeline li.arrow { align-self: center; line-height: 1; }
  ol.pipeline li.arrow::before { content: "\\2193"; }
  dl { grid-template-columns: 1fr; } dd { margin-bottom: 0.35rem; }
}
`;

export interface StatusDocumentOptions {
  tone?: PageTone;
  /** Reload the page after this many seconds (while something runs). */
  refreshInSeconds?: number;
}

/**
 * The document of the status pages: the shared shell plus the styles of the Dev -> QA -> Prod diagram and
 * the release list, and, while a release runs, a refresh without script (`<meta http-equiv="refresh">` is
 * allowed by the pages' CSP, which forbids every script).
 */
export function statusPageDocument(title: string, body: string, options: StatusDocumentOptions = {}): string {
  const head = [
    `<style>${STATUS_STYLE}</style>`,
    ...(options.refreshInSeconds
      ? [`<meta http-equiv="refresh" content="${options.refreshInSeconds}">`]
      : []),
  ].join('\n');
  // renderDocument has exactly one </head> and escapes the title, so this is where the head ends.
  return renderDocument(title, body, options.tone).replace('</head>', () => `${head}\n</head>`);
}
