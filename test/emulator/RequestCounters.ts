// Test infrastructure: request counters of one workspace, or of the whole emulator.
// Benchmarks and tests assert on these (e.g. "a no-op redeploy writes nothing"), so each HTTP request
// is counted exactly once, whatever its outcome.
export interface CounterSnapshot {
  total: number;
  /** Non-GET requests whose effect was applied (a reset after applying still counts). */
  writes: number;
  /** Requests per endpoint name, the path after `/api/` (e.g. `2.0/workspace/import`). */
  byEndpoint: Record<string, number>;
  /** Requests refused by the rate limiter (also counted in total and byEndpoint). */
  throttled: number;
  /** Injected faults: 5xx, 429 and connection resets. */
  faults: number;
  /** Peak number of requests in flight at the same time. */
  maxInFlight: number;
}

export class RequestCounters {
  private total = 0;
  private writes = 0;
  private readonly byEndpoint = new Map<string, number>();
  private throttled = 0;
  private faults = 0;
  private inFlight = 0;
  private maxInFlight = 0;

  begin(endpoint: string): void {
    this.total += 1;
    this.byEndpoint.set(endpoint, (this.byEndpoint.get(endpoint) ?? 0) + 1);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
  }

  end(): void {
    this.inFlight -= 1;
  }

  recordWrite(): void {
    this.writes += 1;
  }

  recordThrottled(): void {
    this.throttled += 1;
  }

  recordFault(): void {
    this.faults += 1;
  }

  snapshot(): CounterSnapshot {
    return {
      total: this.total,
      writes: this.writes,
      byEndpoint: Object.fromEntries(this.byEndpoint),
      throttled: this.throttled,
      faults: this.faults,
      maxInFlight: this.maxInFlight,
    };
  }

  /** Requests still in flight keep counting toward the new peak. */
  reset(): void {
    this.total = 0;
    this.writes = 0;
    this.byEndpoint.clear();
    this.throttled = 0;
    this.faults = 0;
    this.maxInFlight = this.inFlight;
  }
}
