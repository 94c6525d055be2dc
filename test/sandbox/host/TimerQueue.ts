// Test infrastructure: durable timers against a HostClock, with one Node timer for the earliest deadline.
// Node's setTimeout cannot wait longer than 2^31-1 ms (about 24.8 days), and an approval timeout may be
// longer, so long waits are split into steps that re-check the clock.
import type { HostClock } from './HostClock';

const MAX_STEP_IN_MS = 60 * 60 * 1000;

interface Entry {
  readonly dueAt: number;
  readonly fire: () => void;
}

export class TimerQueue {
  private readonly entries = new Map<string, Entry>();
  private handle: NodeJS.Timeout | undefined;
  private readonly unsubscribe: (() => void) | undefined;
  private closed = false;

  constructor(private readonly clock: HostClock) {
    this.unsubscribe = clock.onAdvance?.(() => this.fireDue());
  }

  schedule(key: string, dueAt: number, fire: () => void): void {
    if (this.closed) return;
    this.entries.set(key, { dueAt, fire });
    this.fireDue();
  }

  cancel(key: string): void {
    this.entries.delete(key);
    this.rearm();
  }

  get size(): number {
    return this.entries.size;
  }

  close(): void {
    this.closed = true;
    this.entries.clear();
    if (this.handle) clearTimeout(this.handle);
    this.handle = undefined;
    this.unsubscribe?.();
  }

  private fireDue(): void {
    if (this.closed) return;
    const now = this.clock.now();
    const due = [...this.entries].filter(([, e]) => e.dueAt <= now).sort((a, b) => a[1].dueAt - b[1].dueAt);
    for (const [key] of due) this.entries.delete(key);
    for (const [, entry] of due) entry.fire();
    this.rearm();
  }

  private rearm(): void {
    if (this.handle) clearTimeout(this.handle);
    this.handle = undefined;
    if (this.closed || this.entries.size === 0) return;
    const earliest = Math.min(...[...this.entries.values()].map((e) => e.dueAt));
    const delay = Math.min(Math.max(earliest - this.clock.now(), 0), MAX_STEP_IN_MS);
    this.handle = setTimeout(() => this.fireDue(), delay);
  }
}
