// Test infrastructure: the emulator's notion of now, which tests may push forward.
// Cluster transitions and DBFS handle expiry are computed from timestamps, so advancing this clock lets a
// test reach "10 idle minutes later" without waiting and without timers that keep the process alive.
export class EmulatorClock {
  private offsetInMs = 0;

  now(): number {
    return Date.now() + this.offsetInMs;
  }

  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError('The emulator clock only moves forward');
    this.offsetInMs += ms;
  }
}
