// Test infrastructure: the host's notion of now. Durable timers, retry delays and history timestamps all
// read it, so a test can jump over a 24-hour approval timeout instead of waiting for it.
export interface HostClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Clocks that can jump call `listener` after each jump, so that timers now due fire at once. */
  onAdvance?(listener: () => void): () => void;
}
