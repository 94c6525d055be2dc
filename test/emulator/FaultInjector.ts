// Test infrastructure: seeded fault injection for the emulated REST API.
// 5xx and 429 are decided before a request has any effect. Resets are split: some drop the connection
// before applying, some after applying but before answering, which is the case that makes
// idempotency tokens and read-before-retry matter.
import { seededRandom } from './seededRandom';

export type FaultKind = '500' | '503' | '429' | 'reset-before' | 'reset-after';

export interface FaultOptions {
  /** Extra latency for matching requests, on top of the emulator-wide latency. */
  latencyInMs?: number;
  /** Probability (0..1) of a 500 INTERNAL_ERROR or 503 TEMPORARILY_UNAVAILABLE. */
  errorRate5xx?: number;
  /** Probability (0..1) of a 429 REQUEST_LIMIT_EXCEEDED. */
  rate429?: number;
  /** Probability (0..1) of destroying the connection without an answer. */
  resetRate?: number;
  /** Retry-After on injected 429s (and 503s); decimal seconds. Default 0.1. */
  retryAfterSeconds?: number;
  /** Endpoint names (`2.1/clusters/create`) or prefixes ending in `*` (`2.0/dbfs/*`); default all. */
  endpoints?: string[];
  /** Workspace names; default all. */
  workspaces?: string[];
  /** PRNG seed; the same seed and request order give the same faults. Default 1. */
  seed?: number;
  /** Faults for the next matching requests, in order, before any random draw ('none' lets one pass). */
  sequence?: (FaultKind | 'none')[];
}

export interface FaultDecision {
  kind: FaultKind | undefined;
  latencyInMs: number;
  retryAfterSeconds: number;
}

export class FaultInjector {
  private options: FaultOptions | undefined;
  private random: () => number = seededRandom(1);
  private sequence: (FaultKind | 'none')[] = [];

  set(options: FaultOptions): void {
    for (const rate of [options.errorRate5xx, options.rate429, options.resetRate]) {
      if (rate !== undefined && !(rate >= 0 && rate <= 1)) throw new RangeError('Fault rates are in 0..1');
    }
    this.options = { ...options };
    this.random = seededRandom(options.seed ?? 1);
    this.sequence = [...(options.sequence ?? [])];
  }

  clear(): void {
    this.options = undefined;
    this.sequence = [];
  }

  decide(workspace: string, endpoint: string): FaultDecision | undefined {
    const options = this.options;
    if (!options) return undefined;
    if (options.workspaces && !options.workspaces.includes(workspace)) return undefined;
    if (options.endpoints && !options.endpoints.some((pattern) => matches(pattern, endpoint)))
      return undefined;
    // Two draws per matching request whatever the outcome, so one rate does not shift another's sequence.
    const [draw, detail] = [this.random(), this.random()];
    const scripted = this.sequence.shift();
    return {
      kind: scripted === undefined ? pick(options, draw, detail) : scripted === 'none' ? undefined : scripted,
      latencyInMs: options.latencyInMs ?? 0,
      retryAfterSeconds: options.retryAfterSeconds ?? 0.1,
    };
  }
}

function matches(pattern: string, endpoint: string): boolean {
  return pattern.endsWith('*') ? endpoint.startsWith(pattern.slice(0, -1)) : pattern === endpoint;
}

function pick(options: FaultOptions, draw: number, detail: number): FaultKind | undefined {
  const errorRate = options.errorRate5xx ?? 0;
  const throttleRate = options.rate429 ?? 0;
  const resetRate = options.resetRate ?? 0;
  if (draw < errorRate) return detail < 0.5 ? '500' : '503';
  if (draw < errorRate + throttleRate) return '429';
  if (draw < errorRate + throttleRate + resetRate) return detail < 0.5 ? 'reset-before' : 'reset-after';
  return undefined;
}
