// Test infrastructure: the sandbox of the checks and rollback release tests (Dev and QA in token mode on the
// sandbox app, QA without approval, QA's notices to a local receiver), and one release of a check bundle
// (checkBundle.ts) followed until it ends: staged in the world's Azurite, started over HTTP, read until Completed
// or Failed (a minute at most).
import { BlobServiceClient } from '@azure/storage-blob';
import { rmSync } from 'node:fs';
import { expect } from 'vitest';
import { createRollbackToken, rollbackUrl, type RollbackClaims } from '../../src/approvals/approvalToken';
import { ReleaseStorage } from '../../src/azure/ReleaseStorage';
import type { ReleaseStatus } from '../../src/release/ReleaseStatus';
import { stageBundle } from '../../src/sources/stageBundle';
import { HttpsEndpoint } from '../emulator/HttpsEndpoint';
import { LocalWorld } from '../sandbox/LocalWorld';
import { SandboxApp } from '../sandbox/SandboxApp';
import { writeCheckBundle } from './checkBundle';

export type ReleaseJson = ReleaseStatus & { runtimeStatus: string };

export class CheckSandbox {
  private readonly dirs: string[] = [];

  private constructor(
    readonly world: LocalWorld,
    readonly app: SandboxApp,
    private readonly hook: HttpsEndpoint,
    /** The text of each notice QA's channel got, in order. */
    readonly notices: string[],
  ) {}

  /** `settings`: the app's beyond the sandbox's (e.g. BRICKLANE_QA_ROLLBACK). */
  static async start(settings: Record<string, string> = {}): Promise<CheckSandbox> {
    const notices: string[] = [];
    const hook = await HttpsEndpoint.start((request) => {
      notices.push((JSON.parse(request.body.toString('utf8')) as { text: string }).text);
      return { status: 200 };
    });
    const world = await LocalWorld.start({ environments: ['dev', 'qa'], auth: 'token' });
    const app = await SandboxApp.start(world, {
      settings: {
        BRICKLANE_QA_APPROVAL_REQUIRED: 'false',
        BRICKLANE_QA_NOTIFY_URL: `${hook.url}/qa`,
        ...settings,
      },
    });
    return new CheckSandbox(world, app, hook, notices);
  }

  /** A release of a check bundle whose smoke notebook runs `body` (and a second notebook with `extraNotebook`). */
  release(body: string, extraNotebook = false): ReturnType<typeof releaseCheckBundle> {
    return releaseCheckBundle(this.world, this.app, this.dirs, body, extraNotebook);
  }

  async stop(): Promise<void> {
    await this.app.stop();
    await this.world.stop();
    await this.hook.stop();
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Releases a check bundle whose smoke notebook runs `body` (with a second notebook when `extraNotebook`); its
 * folder goes to `dirs` for the caller to remove.
 */
export async function releaseCheckBundle(
  world: LocalWorld,
  app: SandboxApp,
  dirs: string[],
  body: string,
  extraNotebook = false,
): Promise<{ id: string; bundleId: string; view: ReleaseJson }> {
  const dir = writeCheckBundle(extraNotebook ? { smoke: body, extra: '1' } : { smoke: body });
  dirs.push(dir);
  const blobs = BlobServiceClient.fromConnectionString(world.azurite.connectionString);
  const { bundleId } = await stageBundle(new ReleaseStorage(blobs), dir);
  const started = await app.call('POST', 'releases', { bundleId });
  expect(started.status).toBe(202);
  const id = (started.json as { releaseId: string }).releaseId;
  return { id, bundleId, view: await followRelease(app, id) };
}

/** The release's JSON once it has ended (or after a minute). */
export async function followRelease(app: SandboxApp, id: string): Promise<ReleaseJson> {
  const deadline = Date.now() + 60_000;
  let view = (await app.call('GET', `releases/${id}`)).json as ReleaseJson;
  while (!['Completed', 'Failed'].includes(view.runtimeStatus) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    view = (await app.call('GET', `releases/${id}`)).json as ReleaseJson;
  }
  return view;
}

/**
 * A rollback link signed with the sandbox's keys (BRICKLANE_APPROVAL_SIGNING_KEYS), valid for ten minutes: one the
 * app never offered, to show what it refuses.
 */
export function signedRollbackLink(
  app: SandboxApp,
  [releaseId, environment, knownGood]: [string, string, string],
): string {
  const keys = (process.env.BRICKLANE_APPROVAL_SIGNING_KEYS ?? '').split(',');
  const expiresAt = Math.floor(Date.now() / 1000) + 600;
  const claims: RollbackClaims = { releaseId, environment, knownGood, expiresAt };
  return rollbackUrl(app.url, createRollbackToken(claims, keys));
}
