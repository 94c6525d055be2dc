// Test infrastructure: keeps one Functions worker process (test/sandbox/hostProcess.ts) running for a world,
// as the Functions platform does: a worker that dies, killed or crashed, is replaced by a new one on the same
// app settings, address and storage, which resumes the orchestrations from their stored history. Each
// worker may carry a crash plan: killed by the supervisor at a time, by the storage proxy during a write,
// or by itself at a commit or inside an activity (BRICKLANE_HOST_CRASH, test/sandbox/host/HostCrash.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { HOST_PROCESS_CONFIG, HOST_READY, type HostProcessConfig } from '../sandbox/hostProcess';
import type { StorageProxy, WriteCrash } from './StorageProxy';

const ROOT = join(__dirname, '..', '..');
/** Azure replaces a lost worker within seconds; the harness waits this long before starting the next one. */
const RESTART_DELAY_MS = 500;
const READY_LIMIT_MS = 60_000;
/** Workers that end before serving, in a row, before the supervisor gives up (an app that cannot load). */
const MAX_FAILED_STARTS = 5;

export interface WorkerPlan {
  /** BRICKLANE_HOST_CRASH for this worker (`commit:<n>`, `activity:<n>:<ms>`). */
  crashPoint?: string;
  /** SIGKILL this long after the worker is ready. */
  killAfterMs?: number;
  /** SIGKILL during this worker's n-th write to a container (the storage proxy watches). */
  duringWrite?: Omit<WriteCrash, 'kill'>;
}

export class HostSupervisor {
  /** Everything every worker wrote (stdout and stderr), for the secret scan and for a failing seed's report. */
  readonly output: string[] = [];
  /** How each worker ended, in order (`killed at …`, `exited 1`). */
  readonly exits: string[] = [];
  private worker: ChildProcess | undefined;
  private ready: Promise<void> = Promise.resolve();
  private stopping = false;
  private generation = 0;
  private killTimer: NodeJS.Timeout | undefined;
  private readonly startedAt = Date.now();
  private failedStarts = 0;

  private constructor(
    private readonly config: HostProcessConfig,
    private readonly plans: WorkerPlan[],
    private readonly proxy: StorageProxy | undefined,
  ) {}

  /** Starts the first worker; `plans[i]` applies to the (i+1)-th worker, later workers run without one. */
  static async start(
    config: HostProcessConfig,
    plans: WorkerPlan[] = [],
    proxy?: StorageProxy,
  ): Promise<HostSupervisor> {
    const supervisor = new HostSupervisor(config, plans, proxy);
    supervisor.launch();
    await supervisor.whenReady();
    return supervisor;
  }

  get url(): string {
    return `http://127.0.0.1:${this.config.port}`;
  }

  /** Workers started so far (1 + restarts). */
  get workers(): number {
    return this.generation;
  }

  /** Resolves once a worker serves (the current one, or the one replacing a dead one). */
  async whenReady(): Promise<void> {
    for (;;) {
      if (this.stopping) throw new Error('the supervisor was stopped');
      if (this.failedStarts >= MAX_FAILED_STARTS)
        throw new Error(
          `${this.failedStarts} workers in a row ended before serving; the last wrote:\n${this.output.slice(-3).join('')}`,
        );
      try {
        await this.ready;
        if (this.worker && this.worker.exitCode === null && this.worker.signalCode === null) return;
      } catch {
        // That worker died; its replacement starts after RESTART_DELAY_MS.
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** SIGKILL the current worker (its whole process group), as the platform kills one; resolves once gone. */
  async kill(reason: string): Promise<void> {
    const worker = this.worker;
    if (!worker || worker.exitCode !== null || worker.signalCode !== null) return;
    const gone = new Promise<void>((done) => worker.once('exit', () => done()));
    this.exits.push(`worker ${this.generation} killed ${reason} (${this.elapsed()})`);
    killGroup(worker, 'SIGKILL');
    await gone;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.killTimer);
    const worker = this.worker;
    if (!worker || worker.exitCode !== null || worker.signalCode !== null) return;
    const gone = new Promise<void>((done) => worker.once('exit', () => done()));
    killGroup(worker, 'SIGKILL');
    await gone;
  }

  private elapsed(): string {
    return `at ${((Date.now() - this.startedAt) / 1000).toFixed(1)} s`;
  }

  private launch(): void {
    const plan = this.plans[this.generation] ?? {};
    this.generation += 1;
    const generation = this.generation;
    const child = spawn(
      // The node that runs the harness (npm scripts run the pinned node 22), with tsx for the TypeScript.
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'test', 'sandbox', 'hostProcess.ts')],
      {
        cwd: ROOT,
        // Its own process group: a kill reaches everything the worker started.
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          [HOST_PROCESS_CONFIG]: JSON.stringify(this.config),
          BRICKLANE_HOST_CRASH: plan.crashPoint ?? '',
        },
      },
    );
    this.worker = child;
    const write = plan.duringWrite;
    this.proxy?.arm(
      write && {
        ...write,
        kill: () =>
          this.kill(
            `during ${write.container} write ${write.at}${write.bodyIncludes ? ` with ${write.bodyIncludes}` : ''}`,
          ),
      },
    );
    let signalReady: () => void = () => {};
    let failReady: (error: Error) => void = () => {};
    this.ready = new Promise<void>((resolve, reject) => {
      signalReady = resolve;
      failReady = reject;
    });
    // Nobody may be waiting yet; a worker that never serves is reported by the next whenReady().
    this.ready.catch(() => {});
    const limit = setTimeout(
      () => failReady(new Error(`worker ${generation} not ready in time`)),
      READY_LIMIT_MS,
    );
    let pending = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      this.output.push(text);
      pending += text;
      if (pending.includes(`${HOST_READY} `)) {
        pending = '';
        clearTimeout(limit);
        this.failedStarts = 0;
        served = true;
        if (generation > 1) this.exits.push(`worker ${generation} ready (${this.elapsed()})`);
        signalReady();
        if (plan.killAfterMs !== undefined)
          this.killTimer = setTimeout(
            () => void this.kill(`${plan.killAfterMs} ms after it was ready`),
            plan.killAfterMs,
          );
      } else if (pending.length > 200) pending = pending.slice(-200);
    });
    child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    let served = false;
    const ended = (how: string): void => {
      if (!served) this.failedStarts += 1;
      clearTimeout(limit);
      clearTimeout(this.killTimer);
      if (how) this.exits.push(`worker ${generation} ${how} (${this.elapsed()})`);
      failReady(new Error(`worker ${generation} ended before it was ready`));
      if (this.stopping) return;
      setTimeout(() => {
        if (!this.stopping) this.launch();
      }, RESTART_DELAY_MS);
    };
    // A worker that cannot even start (no 'exit' follows then) is replaced like one that exited.
    child.once('error', (error) => {
      if (child.pid === undefined) ended(`did not start: ${error.message}`);
    });
    child.once('exit', (code, signal) => {
      const killedByUs = this.exits.at(-1)?.startsWith(`worker ${generation} killed`) === true;
      ended(
        signal !== 'SIGKILL'
          ? `exited ${code ?? signal}`
          : killedByUs
            ? ''
            : `killed itself at ${plan.crashPoint ?? 'an unplanned point'}`,
      );
    });
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-(child.pid ?? 0), signal);
  } catch {
    child.kill(signal);
  }
}
