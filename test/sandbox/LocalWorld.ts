// Test infrastructure: the local stand-in for Azure: the Databricks emulator plus Azurite, and the app
// settings that point the real product code at them. Nothing here is imported by src/.
import { join } from 'node:path';
import { Azurite } from '../emulator/Azurite';
import { DatabricksEmulator, type EmulatorOptions } from '../emulator/DatabricksEmulator';

export interface LocalWorldOptions {
  /** Persist the emulated workspaces and Azurite's storage here between runs. */
  worldDir?: string;
  environments?: string[];
  emulator?: Omit<EmulatorOptions, 'stateDir'>;
}

export class LocalWorld {
  private constructor(
    readonly emulator: DatabricksEmulator,
    readonly azurite: Azurite,
    readonly environments: string[],
  ) {}

  static async start(options: LocalWorldOptions = {}): Promise<LocalWorld> {
    const environments = options.environments ?? ['dev'];
    const emulator = await DatabricksEmulator.start({
      ...options.emulator,
      ...(options.worldDir ? { stateDir: join(options.worldDir, 'databricks') } : {}),
    });
    let azurite: Azurite;
    try {
      azurite = await Azurite.start(options.worldDir ? { location: join(options.worldDir, 'azurite') } : {});
    } catch (error) {
      await emulator.stop();
      throw error;
    }
    const known = new Set(emulator.workspaceNames());
    for (const env of environments) if (!known.has(env)) emulator.addWorkspace(env);
    return new LocalWorld(emulator, azurite, environments);
  }

  /** App settings for the product code, as an operator would set them in Azure. */
  settings(): Record<string, string> {
    const values: Record<string, string> = {
      BRICKLANE_ENVIRONMENTS: this.environments.join(','),
      BRICKLANE_LEDGER_CONNECTION: this.azurite.connectionString,
      BRICKLANE_MAX_IN_FLIGHT: '16',
    };
    for (const env of this.environments) {
      const prefix = `BRICKLANE_${env.toUpperCase()}_`;
      values[`${prefix}DATABRICKS_AUTH`] = 'token';
      values[`${prefix}WORKSPACE_URL`] = this.emulator.workspaceUrl(env);
      values[`${prefix}DATABRICKS_TOKEN`] = DatabricksEmulator.defaultToken;
    }
    return values;
  }

  /** The `--state-out` document: every emulated workspace plus this run's request counters. */
  state(): Record<string, unknown> {
    const environments = Object.fromEntries(
      this.environments.map((env) => [env, this.emulator.snapshot(env)]),
    );
    const { total, writes, byEndpoint } = this.emulator.counters();
    return { environments, requests: { total, writes, byEndpoint } };
  }

  async stop(): Promise<void> {
    await Promise.allSettled([this.emulator.stop(), this.azurite.stop()]);
  }
}
