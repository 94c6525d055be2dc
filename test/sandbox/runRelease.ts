// Test infrastructure: `npm run sandbox` (no subcommand): stage a bundle, start a release through the
// app's own HTTP route, show each stage as it moves, print approval links, and approve them when asked.
import { BlobServiceClient } from '@azure/storage-blob';
import { ReleaseStorage } from '../../src/azure/ReleaseStorage';
import { stageBundle } from '../../src/sources/stageBundle';
import type { SandboxApp } from './SandboxApp';

export interface ReleaseRunOptions {
  bundleDir: string;
  /** 'all': approve every stage as soon as it waits (unattended); 'none': wait for a person to click. */
  approve: 'all' | 'none';
  log: (line: string) => void;
  /** Give up after this long (default: 1 hour, the approval links are the limit). */
  timeoutInMs?: number;
}

export interface ReleaseRunResult {
  releaseId: string;
  bundleId: string;
  status: Record<string, unknown>;
}

interface StageView {
  environment: string;
  state: string;
  approvalUrl?: string;
  message?: string;
  targets?: { target: string; state: string; message?: string }[];
}

/** The parts of GET releases/{id} the sandbox prints; diagnostics one per line. */
type PrintedRelease = {
  runtimeStatus?: string;
  state?: string;
  stages?: StageView[];
  message?: string;
  diagnostics?: { items: string[] };
};

const FINAL = new Set(['Completed', 'Failed', 'Terminated']);

export async function runRelease(app: SandboxApp, options: ReleaseRunOptions): Promise<ReleaseRunResult> {
  const storage = new ReleaseStorage(
    BlobServiceClient.fromConnectionString(app.settings.AzureWebJobsStorage ?? ''),
  );
  const staged = await stageBundle(storage, options.bundleDir);
  options.log(
    `staged ${options.bundleDir} as bundle ${staged.bundleId.slice(0, 12)}… (${staged.files} files)`,
  );
  const started = await app.call('POST', 'releases', { bundleId: staged.bundleId });
  const start = started.json as { releaseId?: string; started?: boolean; error?: string };
  if (!start.releaseId)
    throw new Error(`starting the release failed (${started.status}): ${JSON.stringify(started.json)}`);
  options.log(
    `release ${start.releaseId} ${start.started ? 'started' : 'already exists; following it'} ` +
      `(status: ${app.statusLink(start.releaseId)})`,
  );
  return followRelease(app, start.releaseId, staged.bundleId, options);
}

/** Shows a release's stages as they move, approving (or printing) links, until it ends. */
export async function followRelease(
  app: SandboxApp,
  releaseId: string,
  bundleId: string,
  options: Omit<ReleaseRunOptions, 'bundleDir'>,
): Promise<ReleaseRunResult> {
  const start = { releaseId };
  const staged = { bundleId };
  const seen = new Map<string, string>();
  const approved = new Set<string>();
  const deadline = Date.now() + (options.timeoutInMs ?? 3_600_000);
  for (;;) {
    const { json } = await app.call('GET', `releases/${start.releaseId}`);
    const status = json as PrintedRelease;
    for (const stage of status.stages ?? []) {
      if (seen.get(stage.environment) !== stage.state) {
        seen.set(stage.environment, stage.state);
        options.log(`  ${stage.environment}: ${stage.state}${stage.message ? ` (${stage.message})` : ''}`);
        if (stage.state === 'waiting' && stage.approvalUrl && options.approve === 'none') {
          options.log(`  approve or reject ${stage.environment} here: ${stage.approvalUrl}`);
        }
      }
      // A ring's workspaces (BRICKLANE_<ENV>_TARGETS), each as it moves.
      for (const target of stage.targets ?? []) {
        if (seen.get(target.target) === target.state) continue;
        seen.set(target.target, target.state);
        options.log(`    ${target.target}: ${target.state}${target.message ? ` (${target.message})` : ''}`);
      }
      if (
        stage.state === 'waiting' &&
        stage.approvalUrl &&
        options.approve === 'all' &&
        !approved.has(stage.environment)
      ) {
        approved.add(stage.environment);
        const answer = await fetch(stage.approvalUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'decision=approve&comment=approved+by+the+sandbox+(--approve+all)',
        });
        options.log(
          `  ${stage.environment}: approved through ${new URL(stage.approvalUrl).pathname.slice(0, 30)}… (${answer.status})`,
        );
      }
    }
    if (status.runtimeStatus && FINAL.has(status.runtimeStatus)) {
      options.log(
        `release ${start.releaseId}: ${status.state ?? status.runtimeStatus}${status.message ? ` — ${status.message}` : ''}${(status.diagnostics?.items ?? []).map((d) => `\n  ${d}`).join('')}`,
      );
      return {
        releaseId: start.releaseId,
        bundleId: staged.bundleId,
        status: json as Record<string, unknown>,
      };
    }
    if (Date.now() > deadline) throw new Error(`release ${start.releaseId} did not finish in time`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
