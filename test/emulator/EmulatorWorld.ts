// Test infrastructure: all workspaces of one emulator and their shared ids, saved to and loaded from disk.
// A sandbox run with `--world D` must see what the previous run deployed, so the whole world (bytes as
// base64, id counters included) round-trips through one JSON file.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EmulatorClock } from './EmulatorClock';
import { IdSequences } from './IdSequences';
import type { IdKind } from './IdSequences';
import type { RateLimits } from './RateLimiter';
import { WorkspaceState } from './WorkspaceState';
import type { SavedWorkspace } from './WorkspaceState';

export interface WorldSettings {
  clusterTransitionInMs: number;
  clusterServerDefaults: boolean;
  rateLimits: RateLimits | false;
}

interface SavedWorld {
  version: 1;
  savedAt: string;
  ids: Record<IdKind, number>;
  workspaces: SavedWorkspace[];
  /** Each workspace's origin port, so a restarted sandbox finds it at the URL ARM and the ledger hold. */
  ports?: Record<string, number>;
}

const worldFileName = 'databricks-world.json';

export class EmulatorWorld {
  readonly clock = new EmulatorClock();
  private readonly ids = new IdSequences();
  private readonly workspaces = new Map<string, WorkspaceState>();
  private readonly ports = new Map<string, number>();

  constructor(readonly settings: WorldSettings) {}

  add(name: string, tokens: string[]): WorkspaceState {
    if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`Workspace name ${name} must be URL-safe`);
    if (this.workspaces.has(name)) throw new Error(`Workspace ${name} already exists`);
    const workspace = new WorkspaceState(name, tokens, {
      ids: this.ids,
      now: () => this.clock.now(),
      clusterTransitionInMs: () => this.settings.clusterTransitionInMs,
      clusterServerDefaults: () => this.settings.clusterServerDefaults,
      rateLimits: this.settings.rateLimits,
    });
    this.workspaces.set(name, workspace);
    return workspace;
  }

  find(name: string): WorkspaceState | undefined {
    return this.workspaces.get(name);
  }

  get(name: string): WorkspaceState {
    const workspace = this.workspaces.get(name);
    if (!workspace) throw new Error(`No emulated workspace named ${name}`);
    return workspace;
  }

  /** The port the workspace listens on (or listened on when saved); undefined before its first listener. */
  portOf(name: string): number | undefined {
    return this.ports.get(name);
  }

  setPort(name: string, port: number): void {
    this.ports.set(name, port);
  }

  all(): WorkspaceState[] {
    return [...this.workspaces.values()];
  }

  setRateLimits(limits: RateLimits | false): void {
    this.settings.rateLimits = limits;
    for (const workspace of this.workspaces.values()) workspace.rateLimiter.configure(limits);
  }

  async saveTo(dir: string): Promise<string> {
    const saved: SavedWorld = {
      version: 1,
      savedAt: new Date(this.clock.now()).toISOString(),
      ids: this.ids.toJSON(),
      workspaces: this.all().map((workspace) => workspace.toJSON()),
      ports: Object.fromEntries(this.ports),
    };
    await mkdir(dir, { recursive: true });
    const file = join(dir, worldFileName);
    // Write then rename, so a run killed mid-save leaves the previous world intact.
    await writeFile(`${file}.tmp`, JSON.stringify(saved));
    await rename(`${file}.tmp`, file);
    return file;
  }

  /** Replaces every workspace with the saved ones; returns false when dir holds no saved world. */
  async loadFrom(dir: string): Promise<boolean> {
    let text: string;
    try {
      text = await readFile(join(dir, worldFileName), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    const saved = JSON.parse(text) as SavedWorld;
    if (saved.version !== 1) throw new Error(`Unsupported emulator world version ${String(saved.version)}`);
    this.ids.restore(saved.ids);
    this.workspaces.clear();
    this.ports.clear();
    for (const [name, port] of Object.entries(saved.ports ?? {})) this.ports.set(name, port);
    for (const savedWorkspace of saved.workspaces) {
      this.add(savedWorkspace.name, savedWorkspace.tokens).restore(savedWorkspace);
    }
    return true;
  }
}
