// Test infrastructure: a sandbox release (LocalWorld + SandboxApp in this process) under the `default` fault
// preset in every emulated service (Databricks, ARM, Key Vault, the Entra authority, the managed-identity
// endpoint) with a fixed seed succeeds, and leaves the same workspace, the same Azure resources and the same
// release outcome as a fault-free release. BRICKLANE_FAULTS_SEED replays another seed.
import { afterEach, describe, expect, it } from 'vitest';
import { parseFaultSpec } from '../emulator/FaultSpec';
import { LocalWorld } from '../sandbox/LocalWorld';
import { normalizeWorldState, type NormalizedState } from '../sandbox/normalizeWorldState';
import { runRelease } from '../sandbox/runRelease';
import { SandboxApp } from '../sandbox/SandboxApp';

const SEED = Number(process.env.BRICKLANE_FAULTS_SEED ?? 7);
const running: { app?: SandboxApp; world?: LocalWorld }[] = [];

afterEach(async () => {
  for (const { app, world } of running.splice(0)) {
    await app?.stop();
    await world?.stop();
  }
});

/** One release of the sample bundle into Dev; its normalized end state, its time and what was injected. */
async function release(faults?: string): Promise<{
  state: NormalizedState;
  ms: number;
  injected: ReturnType<LocalWorld['injectedFaults']>;
}> {
  const world = await LocalWorld.start({
    environments: ['dev'],
    ...(faults ? { faults: { spec: parseFaultSpec(faults), seed: SEED } } : {}),
  });
  const handles: { app?: SandboxApp; world?: LocalWorld } = { world };
  running.push(handles);
  handles.app = await SandboxApp.start(world);
  const started = Date.now();
  const lines: string[] = [];
  const result = await runRelease(handles.app, {
    bundleDir: 'artifacts',
    approve: 'all',
    log: (line) => lines.push(line),
    timeoutInMs: 90_000,
  });
  const ms = Date.now() - started;
  expect(result.status.state, `seed ${SEED}:\n${lines.join('\n')}`).toBe('succeeded');
  return {
    state: normalizeWorldState({ ...world.state(), releases: [result.status] }),
    ms,
    injected: world.injectedFaults(),
  };
}

describe('a sandbox release under faults in every service', () => {
  it(`ends like a fault-free release (default preset, seed ${SEED})`, async () => {
    const clean = await release();
    const faulted = await release('default');
    process.stdout.write(
      `faultsSandbox: seed ${SEED}: clean ${clean.ms} ms, faulted ${faulted.ms} ms, injected ${JSON.stringify(faulted.injected)}\n`,
    );
    // The seed's faults reach Databricks and the Azure side, not just one of them.
    expect(faulted.injected.databricks).toBeGreaterThan(0);
    const azureFaults = (['arm', 'keyvault', 'token', 'identity'] as const).flatMap((service) =>
      Object.entries(faulted.injected[service] ?? {}).filter(([kind]) => kind !== 'spike'),
    );
    expect(azureFaults.length).toBeGreaterThan(0);
    expect(faulted.state).toEqual(clean.state);
  }, 120_000);
});
