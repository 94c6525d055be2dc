// Test infrastructure: one Functions worker process: the function app of src/index.ts on the local host,
// against a world that runs in the parent process (which passes its endpoints and app settings in
// BRICKLANE_HOST_PROCESS). A separate process, so that the parent can SIGKILL it at any moment, in-flight
// activity code included, and start a new one on the same world, as Azure restarts a worker.
// Prints `host-ready <url>` once it serves, then one line per host log entry.
import { SandboxApp } from './SandboxApp';

/** What the parent hands a worker; the same for every worker of one world. */
export interface HostProcessConfig {
  /** App settings, as an operator sets them in Azure (the storage ones may point through a proxy). */
  settings: Record<string, string>;
  /** AzureWebJobsStorage: where Durable state lives. */
  storage: string;
  port: number;
  functionKey: string;
  /** Host options a measurement sets (the bench gives Azure's per-episode latency, no replay check). */
  host?: { episodeLatencyInMs?: number; checkDeterminism?: boolean; taskHubName?: string };
}

export const HOST_PROCESS_CONFIG = 'BRICKLANE_HOST_PROCESS';
export const HOST_READY = 'host-ready';

async function main(): Promise<void> {
  const config = JSON.parse(process.env[HOST_PROCESS_CONFIG] ?? '') as HostProcessConfig;
  const world = { settings: () => config.settings, azurite: { connectionString: config.storage } };
  const app = await SandboxApp.start(world, {
    port: config.port,
    settings: config.settings,
    host: {
      ...config.host,
      functionKey: config.functionKey,
      onLog: (entry) =>
        process.stdout.write(
          `${entry.time} ${entry.level} ${entry.functionName ?? entry.source}: ${entry.message}\n`,
        ),
    },
  });
  process.stdout.write(`${HOST_READY} ${app.url}\n`);
  // A graceful stop (SIGTERM) ends like the sandbox's host; a crash is the parent's SIGKILL.
  process.once('SIGTERM', () => void app.stop().finally(() => process.exit(0)));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `host process: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
}
