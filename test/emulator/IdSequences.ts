// Test infrastructure: id counters shared by all workspaces of one emulated world.
// World-wide (not per workspace) so a dev cluster id used against prod fails as it would for real, and
// persisted with the world so a later sandbox run never hands out an id twice.
export type IdKind = 'object' | 'cluster' | 'job' | 'handle' | 'run';

const firstIds: Record<IdKind, number> = {
  object: 3_000_000_000_001,
  cluster: 1,
  job: 700_000_001,
  handle: 1,
  run: 900_000_001,
};

export class IdSequences {
  private nextIds: Record<IdKind, number> = { ...firstIds };

  restore(saved: Partial<Record<IdKind, number>>): void {
    this.nextIds = { ...firstIds, ...saved };
  }

  take(kind: IdKind): number {
    const id = this.nextIds[kind];
    this.nextIds[kind] = id + 1;
    return id;
  }

  toJSON(): Record<IdKind, number> {
    return { ...this.nextIds };
  }
}
