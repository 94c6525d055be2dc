// Test infrastructure: polls a release's status through the app's own route (GET releases/{id}, function key)
// until it satisfies `predicate`; on timeout, the error shows the last status.
import type { SandboxApp } from './SandboxApp';

export async function waitForRelease<T>(
  app: SandboxApp,
  releaseId: string,
  predicate: (release: T) => boolean,
  what: string,
  timeoutInMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutInMs;
  for (;;) {
    const release = (await app.call('GET', `releases/${releaseId}`)).json as T;
    if (predicate(release)) return release;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(release)}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}
