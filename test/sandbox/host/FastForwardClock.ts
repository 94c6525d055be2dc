// Test infrastructure: real time plus an offset that tests push forward. Timers keep firing in real time,
// and `advance` makes every timer that is due after the jump fire immediately.
import type { HostClock } from './HostClock';

export class FastForwardClock implements HostClock {
  private offsetInMs = 0;
  private readonly listeners = new Set<() => void>();

  now(): number {
    return Date.now() + this.offsetInMs;
  }

  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError('The clock only moves forward');
    this.offsetInMs += ms;
    for (const listener of [...this.listeners]) listener();
  }

  onAdvance(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
