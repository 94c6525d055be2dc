// Test infrastructure: watches what each environment's workspace receives during a burst, without asking
// the product: every write the Databricks emulator applies (time, endpoint, and which commit the marked
// notebook carries right after it), and each release's apply window per environment as the host recorded
// it (the deployEnvironment sub-orchestration instance's created and last-updated times). From these it
// finds applies that overlapped, writes outside any apply, and an older bundle landing after a newer one.
import type { LocalWorld } from '../../sandbox/LocalWorld';
import type { FunctionHost } from '../../sandbox/host/FunctionHost';
import { markOf } from './burstCommits';

export interface ObservedWrite {
  environment: string;
  at: number;
  endpoint: string;
  /** The commit number the marked notebook carries after this write. */
  mark: number | undefined;
}

export interface ApplyWindow {
  environment: string;
  releaseId: string;
  instanceId: string;
  from: number;
  to: number;
}

export class ApplyObserver {
  readonly writes: ObservedWrite[] = [];
  private readonly stop: () => void;

  constructor(
    private readonly world: LocalWorld,
    /** Workspace path of the marked notebook. */
    private readonly markedTarget: string,
  ) {
    this.stop = world.emulator.onWrite((write) => {
      const environment = world.environments.find((env) => world.workspaceName(env) === write.workspace);
      if (!environment) return;
      const bytes = world.emulator.workspace(write.workspace).tree.find(markedTarget)?.bytes;
      this.writes.push({ environment, at: write.at, endpoint: write.endpoint, mark: markOf(bytes) });
    });
  }

  close(): void {
    this.stop();
  }

  /** Each release's applies (one per round) per environment, from the host's instance table. */
  windows(host: FunctionHost, releaseIds: string[]): ApplyWindow[] {
    const windows: ApplyWindow[] = [];
    for (const releaseId of releaseIds) {
      for (const instance of host.durable.instances({ instanceIdPrefix: `${releaseId}:` })) {
        const environment = instance.instanceId.slice(releaseId.length + 1).split(':')[0] ?? '';
        const running = !['Completed', 'Failed', 'Terminated'].includes(instance.runtimeStatus);
        windows.push({
          environment,
          releaseId,
          instanceId: instance.instanceId,
          from: Date.parse(instance.createdTime),
          to: running ? Number.POSITIVE_INFINITY : Date.parse(instance.lastUpdatedTime),
        });
      }
    }
    return windows.sort((a, b) => a.from - b.from);
  }

  /**
   * What contradicts "at most one release applies per environment at any time, and an older bundle never
   * replaces a newer one": overlapping windows, writes outside every window, a write in one release's
   * window that leaves another commit's mark than the one before or the release's own, and marks that go
   * back. `numberOf` maps a release to its commit number.
   */
  violations(windows: ApplyWindow[], numberOf: (releaseId: string) => number | undefined): string[] {
    const found: string[] = [];
    for (const environment of this.world.environments) {
      const mine = windows.filter((w) => w.environment === environment);
      for (const [i, w] of mine.entries()) {
        for (const other of mine.slice(i + 1)) {
          if (other.from < w.to)
            found.push(`${environment}: ${w.instanceId} and ${other.instanceId} applied at the same time`);
        }
      }
      let last: number | undefined;
      for (const write of this.writes.filter((x) => x.environment === environment)) {
        const window = mine.find((w) => w.from <= write.at && write.at <= w.to);
        if (!window) {
          found.push(`${environment}: ${write.endpoint} at ${write.at} outside every apply`);
          continue;
        }
        const own = numberOf(window.releaseId);
        if (write.mark !== last && write.mark !== own)
          found.push(`${environment}: a write by ${window.releaseId} left commit ${write.mark}'s notebook`);
        if (last !== undefined && write.mark !== undefined && write.mark < last)
          found.push(`${environment}: commit ${write.mark} replaced the newer commit ${last}`);
        last = write.mark ?? last;
      }
    }
    return found;
  }
}
