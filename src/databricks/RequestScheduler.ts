// I/O: one per workspace — bounds requests in flight and spaces request starts per endpoint group.
// Databricks limits each workspace to about 30 req/s for workspace/import and DBFS and 20 req/s for
// jobs/create (Azure Databricks "API rate limits"), and parallel importers that ignore this drown in 429s
// (databrickslabs/migrate#126). So every request of a workspace, from every caller, passes through here.
// The global `performance` and `setTimeout` (not perf_hooks'): one clock, which a test may replace whole.

export interface RequestSchedulerOptions {
  /** Requests in flight at once, over all groups. Default 16 (peers use 10–20; ucx#401 reports a 20 cap). */
  maxInFlight?: number;
  /**
   * Request starts per second per group, merged over {@link DEFAULT_RATES_PER_SECOND}. A key is an endpoint
   * (`jobs/create`), a prefix ending in `/*` (`dbfs/*`), or `default` for all other endpoints together.
   */
  ratesPerSecond?: Record<string, number>;
  /**
   * Starts a group may make back to back after idling. The default 1 spaces starts evenly at the rate: the
   * server's token bucket holds about one second of requests, so even spacing absorbs network jitter without
   * 429s while still reaching the full rate.
   */
  burst?: number;
}

export interface RequestSchedulerStats {
  inFlight: number;
  maxInFlightSeen: number;
  /** Requests started (each retry attempt counts). */
  started: number;
  /** 429 answers reported back. */
  throttled: number;
  /** Requests waiting for a slot or their group's next start time. */
  queued: number;
}

export interface ScheduleOptions {
  abortSignal?: AbortSignal;
}

export const DEFAULT_RATES_PER_SECOND: Readonly<Record<string, number>> = {
  'workspace/import': 30,
  'dbfs/*': 30,
  'jobs/create': 20,
  default: 100,
};

interface Waiter {
  seq: number;
  resolve: () => void;
  reject: (reason: unknown) => void;
  abortSignal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

interface GroupState {
  intervalInMs: number;
  toleranceInMs: number;
  /** Theoretical arrival time of the next start (GCRA, the token bucket expressed as a time). */
  nextStartAt: number;
  pausedUntil: number;
  queue: Waiter[];
}

export class RequestScheduler {
  readonly maxInFlight: number;
  private readonly rates: Record<string, number>;
  private readonly burst: number;
  private readonly groups = new Map<string, GroupState>();
  private inFlight = 0;
  private maxInFlightSeen = 0;
  private started = 0;
  private throttled = 0;
  private seq = 0;
  // Exists only while requests wait, so an idle scheduler never keeps the process alive.
  private timer: NodeJS.Timeout | undefined;

  constructor(options: RequestSchedulerOptions = {}) {
    this.maxInFlight = positiveInteger(options.maxInFlight ?? 16, 'maxInFlight');
    this.burst = positiveInteger(options.burst ?? 1, 'burst');
    this.rates = { ...DEFAULT_RATES_PER_SECOND, ...options.ratesPerSecond };
    for (const [group, rate] of Object.entries(this.rates)) {
      if (!(rate > 0)) throw new RangeError(`databricks: rate of group ${group} must be > 0, got ${rate}`);
    }
  }

  /** The rate group of an endpoint such as `dbfs/add-block` (-> `dbfs/*`). */
  groupOf(endpoint: string): string {
    if (Object.hasOwn(this.rates, endpoint) && endpoint !== 'default') return endpoint;
    let best: string | undefined;
    for (const key of Object.keys(this.rates)) {
      if (
        key.endsWith('/*') &&
        endpoint.startsWith(key.slice(0, -1)) &&
        (best === undefined || key.length > best.length)
      ) {
        best = key;
      }
    }
    return best ?? 'default';
  }

  /** Runs `task` once a slot is free and the endpoint's group may start another request. */
  async run<T>(endpoint: string, task: () => Promise<T>, options: ScheduleOptions = {}): Promise<T> {
    await this.acquire(this.groupOf(endpoint), options.abortSignal);
    try {
      return await task();
    } finally {
      this.inFlight--;
      this.pump();
    }
  }

  /**
   * A request of this endpoint got 429: the whole group waits out Retry-After, so parallel callers stop
   * together instead of each discovering the limit (databrickslabs/migrate#126).
   */
  reportThrottled(endpoint: string, retryAfterInMs: number): void {
    const group = this.group(this.groupOf(endpoint));
    group.pausedUntil = Math.max(group.pausedUntil, performance.now() + Math.max(0, retryAfterInMs));
    this.throttled++;
    this.pump();
  }

  getStats(): RequestSchedulerStats {
    let queued = 0;
    for (const group of this.groups.values()) queued += group.queue.length;
    return {
      inFlight: this.inFlight,
      maxInFlightSeen: this.maxInFlightSeen,
      started: this.started,
      throttled: this.throttled,
      queued,
    };
  }

  private acquire(groupName: string, abortSignal: AbortSignal | undefined): Promise<void> {
    if (abortSignal?.aborted) return Promise.reject(abortSignal.reason);
    const group = this.group(groupName);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { seq: this.seq++, resolve, reject, abortSignal, onAbort: undefined };
      if (abortSignal !== undefined) {
        waiter.onAbort = () => {
          const index = group.queue.indexOf(waiter);
          if (index >= 0) group.queue.splice(index, 1);
          reject(abortSignal.reason);
          this.pump();
        };
        abortSignal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      group.queue.push(waiter);
      this.pump();
    });
  }

  private group(name: string): GroupState {
    let group = this.groups.get(name);
    if (group === undefined) {
      const rate = this.rates[name] ?? this.rates.default ?? 100;
      const intervalInMs = 1000 / rate;
      group = {
        intervalInMs,
        toleranceInMs: (this.burst - 1) * intervalInMs,
        nextStartAt: 0,
        pausedUntil: 0,
        queue: [],
      };
      this.groups.set(name, group);
    }
    return group;
  }

  private pump(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.inFlight < this.maxInFlight) {
      const now = performance.now();
      let ready: GroupState | undefined;
      let readySeq = Infinity;
      let wakeAt = Infinity;
      for (const group of this.groups.values()) {
        const head = group.queue[0];
        if (head === undefined) continue;
        const readyAt = Math.max(group.pausedUntil, group.nextStartAt - group.toleranceInMs);
        if (readyAt > now) {
          wakeAt = Math.min(wakeAt, readyAt);
        } else if (head.seq < readySeq) {
          // Oldest waiter first across groups; a group waiting for its rate never blocks the others.
          ready = group;
          readySeq = head.seq;
        }
      }
      if (ready === undefined) {
        if (wakeAt !== Infinity) {
          this.timer = setTimeout(
            () => {
              this.timer = undefined;
              this.pump();
            },
            Math.max(1, Math.ceil(wakeAt - now)),
          );
        }
        return;
      }
      this.start(ready, now);
    }
  }

  private start(group: GroupState, now: number): void {
    const waiter = group.queue.shift();
    if (waiter === undefined) return;
    // Timers fire a millisecond or two late; measuring the next start from `now` would lose that lateness at
    // every start (about 10% of a 100/s rate). Keeping the cadence within a small slack avoids the drift,
    // while a group back from idle still cannot bank more than `burst` starts.
    const slack = Math.min(group.intervalInMs / 2, 4);
    group.nextStartAt = Math.max(group.nextStartAt, now - slack) + group.intervalInMs;
    this.inFlight++;
    this.maxInFlightSeen = Math.max(this.maxInFlightSeen, this.inFlight);
    this.started++;
    if (waiter.onAbort !== undefined) waiter.abortSignal?.removeEventListener('abort', waiter.onAbort);
    waiter.resolve();
  }
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`databricks: ${name} must be a positive integer, got ${value}`);
  }
  return value;
}
