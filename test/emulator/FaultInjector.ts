// Test infrastructure: seeded fault injection for the emulated services.
// 5xx and 429 are decided before a request has any effect. Resets are split: some drop the connection
// before applying, some after applying but before answering, which is the case that makes
// idempotency tokens and read-before-retry matter. A lost answer is a write applied and answered 504
// (FaultSpec.ts says why). ServiceFaults holds one seeded stream per service of the local world, so the
// order of requests to one service never shifts another's faults.
import { faultServices } from './FaultSpec';
import type { FaultService, FaultSpec } from './FaultSpec';
import { seededRandom } from './seededRandom';

export type FaultKind = '500' | '503' | '429' | 'reset-before' | 'reset-after' | 'lost';

export interface FaultOptions {
  /** Extra latency for matching requests, on top of the emulator-wide latency. */
  latencyInMs?: number;
  /** Probability (0..1) of a 500 INTERNAL_ERROR or 503 TEMPORARILY_UNAVAILABLE. */
  errorRate5xx?: number;
  /** Probability (0..1) of a 429 REQUEST_LIMIT_EXCEEDED. */
  rate429?: number;
  /** Probability (0..1) of destroying the connection without an answer, half before and half after applying. */
  resetRate?: number;
  /** Probability (0..1) of destroying the connection before the request is applied. */
  resetBeforeRate?: number;
  /** Probability (0..1) of destroying the connection after the request is applied, before the answer. */
  resetAfterRate?: number;
  /** Probability (0..1) that a write is applied and answered 504 (reads pass). */
  lostRate?: number;
  /** Probability (0..1) of a latency spike of `spikeInMs` on top of `latencyInMs`. */
  spikeRate?: number;
  spikeInMs?: number;
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
    const { errorRate5xx, rate429, resetRate, resetBeforeRate, resetAfterRate, lostRate, spikeRate } =
      options;
    for (const rate of [
      errorRate5xx,
      rate429,
      resetRate,
      resetBeforeRate,
      resetAfterRate,
      lostRate,
      spikeRate,
    ]) {
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

  /** `write`: whether the request changes state (a lost answer applies to writes only). */
  decide(workspace: string, endpoint: string, write = true): FaultDecision | undefined {
    const options = this.options;
    if (!options) return undefined;
    if (options.workspaces && !options.workspaces.includes(workspace)) return undefined;
    if (options.endpoints && !options.endpoints.some((pattern) => matches(pattern, endpoint)))
      return undefined;
    // Two draws per matching request whatever the outcome, so one rate does not shift another's sequence
    // (a third for spikes, only when they are asked for, so earlier seeds keep their faults).
    const [draw, detail] = [this.random(), this.random()];
    const spiked = options.spikeRate ? this.random() < options.spikeRate : false;
    const scripted = this.sequence.shift();
    const kind =
      scripted === undefined ? pick(options, draw, detail) : scripted === 'none' ? undefined : scripted;
    return {
      kind: kind === 'lost' && !write ? undefined : kind,
      latencyInMs: (options.latencyInMs ?? 0) + (spiked ? (options.spikeInMs ?? 0) : 0),
      retryAfterSeconds: options.retryAfterSeconds ?? 0.1,
    };
  }
}

/** The injector settings of one service under a world-wide spec; undefined when the spec leaves it alone. */
export function faultOptionsOf(
  spec: FaultSpec,
  seed: number,
  service: FaultService,
): FaultOptions | undefined {
  if (!spec.services.includes(service)) return undefined;
  return {
    errorRate5xx: spec.rate5xx,
    rate429: spec.rate429,
    retryAfterSeconds: spec.retryAfterSeconds,
    resetBeforeRate: spec.resetBeforeRate,
    resetAfterRate: spec.resetAfterRate,
    lostRate: spec.lostRate,
    ...(spec.spike.rate > 0 && spec.spike.durationInMs > 0
      ? { spikeRate: spec.spike.rate, spikeInMs: spec.spike.durationInMs }
      : {}),
    // One stream per service, derived from the world's seed.
    seed: (seed * 0x9e3779b1 + faultServices.indexOf(service) * 0x85ebca6b) >>> 0,
  };
}

/**
 * The Azure side's and the source hosts' faults: one injector per service, all set from one spec and seed.
 * Counts what it injected, per service and kind, so a run can say what it went through.
 */
export class ServiceFaults {
  private readonly injectors = new Map<FaultService, FaultInjector>();
  private counts: Partial<Record<FaultService, Partial<Record<FaultKind | 'spike', number>>>> = {};

  set(spec: FaultSpec, seed: number): void {
    this.clear();
    for (const service of faultServices) {
      const options = faultOptionsOf(spec, seed, service);
      if (!options) continue;
      const injector = new FaultInjector();
      injector.set(options);
      this.injectors.set(service, injector);
    }
  }

  /**
   * Scripted faults for one service (tests): the next matching requests get `sequence` in order ('none'
   * lets one pass), then nothing. `endpoints` as in FaultOptions (request paths; a trailing `*` is a
   * prefix). Other services keep their settings.
   */
  script(service: FaultService, sequence: (FaultKind | 'none')[], endpoints?: string[]): void {
    const injector = new FaultInjector();
    injector.set({ sequence, ...(endpoints ? { endpoints } : {}) });
    this.injectors.set(service, injector);
  }

  clear(): void {
    this.injectors.clear();
  }

  /** `endpoint` names what was called (for scripted faults by endpoint); `write`: the request changes state. */
  decide(service: FaultService, endpoint: string, write: boolean): FaultDecision | undefined {
    const decision = this.injectors.get(service)?.decide(service, endpoint, write);
    if (decision?.kind) this.count(service, decision.kind);
    if (decision && decision.latencyInMs > 0) this.count(service, 'spike');
    return decision;
  }

  /** Faults injected since the last reset, per service and kind. */
  injected(): Partial<Record<FaultService, Partial<Record<FaultKind | 'spike', number>>>> {
    return structuredClone(this.counts);
  }

  resetCounts(): void {
    this.counts = {};
  }

  private count(service: FaultService, kind: FaultKind | 'spike'): void {
    const perService = (this.counts[service] ??= {});
    perService[kind] = (perService[kind] ?? 0) + 1;
  }
}

function matches(pattern: string, endpoint: string): boolean {
  return pattern.endsWith('*') ? endpoint.startsWith(pattern.slice(0, -1)) : pattern === endpoint;
}

function pick(options: FaultOptions, draw: number, detail: number): FaultKind | undefined {
  const kinds: [number, FaultKind | ((detail: number) => FaultKind)][] = [
    [options.errorRate5xx ?? 0, (d) => (d < 0.5 ? '500' : '503')],
    [options.rate429 ?? 0, '429'],
    [options.resetRate ?? 0, (d) => (d < 0.5 ? 'reset-before' : 'reset-after')],
    [options.resetBeforeRate ?? 0, 'reset-before'],
    [options.resetAfterRate ?? 0, 'reset-after'],
    [options.lostRate ?? 0, 'lost'],
  ];
  let edge = 0;
  for (const [rate, kind] of kinds) {
    edge += rate;
    if (draw < edge) return typeof kind === 'function' ? kind(detail) : kind;
  }
  return undefined;
}

/** What a faulted request comes to when the connection is destroyed instead of answered. */
export const connectionReset = Symbol('connection reset');

/** A service's own error answer for an injected status (429 and 503 carry Retry-After). */
export type InjectedError<A> = (status: 429 | 500 | 503 | 504, retryAfterSeconds: number) => A;

/**
 * Runs one request of an emulated service under a fault decision taken on arrival: the latency (spike) first,
 * then 5xx, 429 or a reset before anything is applied; otherwise the request is applied, and then its
 * connection may be reset, or a write's answer lost (a 504 in place of what it did).
 */
export async function answerWithFaults<A>(
  decision: FaultDecision | undefined,
  errorOf: InjectedError<A>,
  apply: () => A | Promise<A>,
): Promise<A | typeof connectionReset> {
  if (decision && decision.latencyInMs > 0) {
    await new Promise((resolve) => setTimeout(resolve, decision.latencyInMs).unref());
  }
  switch (decision?.kind) {
    case '500':
      return errorOf(500, decision.retryAfterSeconds);
    case '503':
      return errorOf(503, decision.retryAfterSeconds);
    case '429':
      return errorOf(429, decision.retryAfterSeconds);
    case 'reset-before':
      return connectionReset;
  }
  const answer = await apply();
  if (decision?.kind === 'reset-after') return connectionReset;
  if (decision?.kind === 'lost') return errorOf(504, decision.retryAfterSeconds);
  return answer;
}
