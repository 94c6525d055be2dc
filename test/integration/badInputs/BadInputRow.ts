// Test infrastructure: one row of the bad-input table and what a refusal looks like, whatever refused it:
// an HTTP function (status, and the error's code or text), the archive extractor (its rejection code), the
// bundle validator (a diagnostic code) or the settings loader (the problem text).
import type { HttpResponseInit } from '@azure/functions';
import type { BadInputWorld } from './BadInputWorld';

export type Area = 'webhook' | 'operator API' | 'approval link' | 'archive' | 'bundle' | 'settings';

export interface Refusal {
  /** The HTTP status, for inputs that arrive over HTTP. */
  status?: number;
  /**
   * A machine-readable code: ArchiveRejectedError.code, Diagnostic codes (space-separated), or a JSON
   * error's `code` or `field`.
   */
  code?: string;
  /** Everything the refusal says (the error, the page, the diagnostics or the problems), for `says`. */
  text: string;
}

export interface Expected {
  status?: number;
  code?: string;
  says: RegExp;
  /** The text must not say this (a secret, a forged name, a foreign link). */
  never?: RegExp;
  /**
   * The one input of the table that is accepted: it starts exactly one release, and `says` and `never`
   * judge what that release records.
   */
  startsOne?: true;
}

export interface BadInputRow {
  area: Area;
  name: string;
  /**
   * Prepares what the input needs (a waiting release, a first decision) and returns the input's delivery.
   * What `arrange` leaves behind is the baseline; the delivery itself must add nothing to it.
   */
  arrange: (world: BadInputWorld) => Promise<() => Promise<Refusal>> | (() => Promise<Refusal>);
  expected: Expected;
}

/**
 * What an HTTP answer says: a JSON error with its code (`code`, or the operator API's `field`, which names
 * the rule broken), or the page's text.
 */
export function refusalOf(response: HttpResponseInit): Refusal {
  const body = response.jsonBody as Record<string, unknown> | undefined;
  const code = [body?.code, body?.field].find((c): c is string => typeof c === 'string');
  return {
    ...(response.status !== undefined ? { status: response.status } : {}),
    ...(code !== undefined ? { code } : {}),
    text: body !== undefined ? JSON.stringify(body) : pageText(String(response.body ?? '')),
  };
}

/** A page's words, without its style sheet and tags. */
function pageText(html: string): string {
  return (
    html
      .replace(/<style[^]*?<\/style>/g, ' ')
      // Links and form targets stay, so that a row can say where a page may not point.
      .replace(/<(?:a|form)\b[^>]*?(?:href|action)="([^"]*)"[^>]*>/g, ' [link $1] ')
      .replace(/<[^>]*>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
  );
}
