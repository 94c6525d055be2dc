// Pure: text -> HTML text. Names on our pages come from bundles and webhooks (anyone who can push), so
// every value goes through here; the five characters cover element content and quoted attributes.

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}
