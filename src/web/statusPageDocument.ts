// Pure: the HTML document of the status pages: the shared shell (renderDocument) plus the styles of the
// Dev -> QA -> Prod diagram and the release list, and, while a release runs, a refresh without script
// (`<meta http-equiv="refresh">` is allowed by the pages' CSP, which forbids every script).
import { renderDocument, type PageTone } from './renderDocument';

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
