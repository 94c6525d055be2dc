// Test infrastructure: an operator's external check endpoint (a change-management gate, an alert query behind
// a function) over HTTPS with the emulators' certificate, for BRICKLANE_<ENV>_EXTERNAL_CHECKS. Tests script
// what each path answers, one answer per call in order (the last repeats; none: pass), and read what it was
// sent: the body bricklane posts, its authorization header and the query the URL carried.
import { HttpsEndpoint, type HttpAnswer } from './HttpsEndpoint';
import type { JsonObject } from './JsonValue';

/** A check's answer by the contract, a raw HTTP answer, or one that comes too late. */
export type ScriptedAnswer =
  | { status: 'pass' | 'fail'; message?: string }
  | { http: number; body?: JsonObject }
  | { delayInMs: number; then: ScriptedAnswer };

export interface CheckRequest {
  body: unknown;
  authorization?: string;
  query: string;
}

export class ExternalCheckServer {
  private readonly answers = new Map<string, ScriptedAnswer[]>();
  private readonly calls = new Map<string, CheckRequest[]>();

  private constructor(private readonly endpoint: HttpsEndpoint) {}

  static async start(): Promise<ExternalCheckServer> {
    // The handler needs the server, which needs the endpoint: it reads the server once it exists.
    const made: { server?: ExternalCheckServer } = {};
    const endpoint = await HttpsEndpoint.start(
      (request) =>
        made.server?.serve(request.method, request.url, request.headers.authorization, request.body) ?? {
          status: 503,
        },
    );
    made.server = new ExternalCheckServer(endpoint);
    return made.server;
  }

  /** The check's URL: `https://127.0.0.1:<port><path>[?query]`. */
  url(path: string, query = ''): string {
    return `${this.endpoint.url}${path}${query ? `?${query}` : ''}`;
  }

  /** Answers of `path` from the next call on, in order (the last repeats). */
  script(path: string, ...answers: ScriptedAnswer[]): void {
    this.answers.set(path, answers);
    this.calls.set(path, []);
  }

  requests(path: string): CheckRequest[] {
    return [...(this.calls.get(path) ?? [])];
  }

  stop(): Promise<void> {
    return this.endpoint.stop();
  }

  private async serve(
    method: string,
    url: URL,
    authorization: string | undefined,
    body: Buffer,
  ): Promise<HttpAnswer> {
    if (method !== 'POST') return { status: 405 };
    const path = url.pathname;
    const seen = this.calls.get(path) ?? [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      parsed = body.toString('utf8');
    }
    seen.push({
      body: parsed,
      query: url.search.replace(/^\?/, ''),
      ...(authorization ? { authorization } : {}),
    });
    this.calls.set(path, seen);
    const script = this.answers.get(path) ?? [];
    return answerOf(script[Math.min(seen.length - 1, script.length - 1)] ?? { status: 'pass' });
  }
}

async function answerOf(answer: ScriptedAnswer): Promise<HttpAnswer> {
  if ('delayInMs' in answer) {
    await new Promise((resolve) => setTimeout(resolve, answer.delayInMs));
    return answerOf(answer.then);
  }
  if ('http' in answer) return { status: answer.http, ...(answer.body ? { body: answer.body } : {}) };
  return {
    status: 200,
    body: { status: answer.status, ...(answer.message ? { message: answer.message } : {}) },
  };
}
