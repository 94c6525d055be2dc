// The code diff on the approval page, through the sandbox (issue 17): the real function app on the local host
// stand-in, the durable replay, the emulated Databricks (token mode) and Azurite. Release 1 deploys the sample
// to Dev and QA (approved); its apply keeps each file it wrote in release storage. Release 2 changes two
// notebooks, one of which was also edited in QA's workspace meanwhile: QA's approval page shows both changes
// line by line, with the "now" side read from release storage (the workspace edit is not in it) and a note on
// the drifted notebook.
import { BlobServiceClient } from '@azure/storage-blob';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeployedFileStore } from '../../src/azure/DeployedFileStore';
import { ReleaseStorage } from '../../src/azure/ReleaseStorage';
import type { NotebookItem } from '../../src/manifest/Bundle';
import { loadBundle } from '../../src/sources/loadBundle';
import { stageBundle } from '../../src/sources/stageBundle';
import { LocalWorld } from '../sandbox/LocalWorld';
import { SandboxApp } from '../sandbox/SandboxApp';
import { waitForRelease } from '../sandbox/waitForRelease';

const ARTIFACTS = resolve(__dirname, '..', '..', 'artifacts');
const EDITED_IN_WORKSPACE = '# edited by hand in the QA workspace';

interface Stage {
  environment: string;
  state: string;
  approvalUrl?: string;
}
interface Release {
  runtimeStatus: string;
  state: string;
  stages: Stage[];
}

describe('the code diff of a release on its approval page', () => {
  let world: LocalWorld;
  let app: SandboxApp;
  let storage: ReleaseStorage;
  let ingest: NotebookItem;
  let utils: NotebookItem;
  const dirs: string[] = [];

  beforeAll(async () => {
    world = await LocalWorld.start({ environments: ['dev', 'qa'], auth: 'token' });
    app = await SandboxApp.start(world);
    storage = new ReleaseStorage(BlobServiceClient.fromConnectionString(world.azurite.connectionString));
    const notebooks = (await loadBundle(ARTIFACTS)).bundle?.notebooks ?? [];
    const find = (source: string): NotebookItem => {
      const found = notebooks.find((n) => n.source === source);
      if (!found) throw new Error(`artifacts/ has no ${source}`);
      return found;
    };
    ingest = find('notebooks/etl/ingest.py');
    utils = find('notebooks/shared/utils.py');
  });
  afterAll(async () => {
    await app?.stop();
    await world?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const qaOf = (r: Release): Stage | undefined => r.stages.find((s) => s.environment === 'qa');
  const waitFor = (id: string, predicate: (r: Release) => boolean, what: string): Promise<Release> =>
    waitForRelease(app, id, predicate, what);
  const start = async (dir: string): Promise<string> => {
    const { bundleId } = await stageBundle(storage, dir);
    const started = await app.call('POST', 'releases', { bundleId });
    expect(started.status).toBe(202);
    return (started.json as { releaseId: string }).releaseId;
  };
  const bundleWith = (changes: Record<string, string>): string => {
    const dir = mkdtempSync(join(tmpdir(), 'bricklane-code-diff-'));
    dirs.push(dir);
    cpSync(ARTIFACTS, dir, { recursive: true });
    for (const [source, appended] of Object.entries(changes)) {
      const file = join(dir, source);
      writeFileSync(file, `${readFileSync(file, 'utf8')}${appended}`);
    }
    return dir;
  };

  it("shows QA the lines that change, the 'now' side from release storage, and notes a drifted notebook", async () => {
    // Release 1: the sample, through Dev and (approved) QA.
    const first = await start(bundleWith({}));
    const waiting = await waitFor(first, (r) => qaOf(r)?.state === 'waiting', 'release 1 waiting in QA');
    const approved = await fetch(qaOf(waiting)?.approvalUrl ?? '', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'decision=approve&comment=first',
    });
    expect(approved.status).toBe(200);
    const done = await waitFor(first, (r) => r.runtimeStatus === 'Completed', 'release 1 completed');
    expect(done.state).toBe('succeeded');
    // What the apply wrote is kept by content hash.
    const kept = await new DeployedFileStore(storage).read(ingest.sha256, 1024 * 1024);
    expect(kept?.bytes?.toString('utf8')).toBe(readFileSync(join(ARTIFACTS, ingest.source), 'utf8'));

    // Someone edits utils in QA's workspace, some minutes after the deploy.
    const qa = world.emulator.workspace(world.workspaceName('qa') ?? 'qa');
    world.emulator.clock.advance(10 * 60_000);
    const deployed = qa.readFile(utils.target)?.toString('utf8') ?? '';
    expect(deployed).toContain('Databricks notebook source');
    qa.importObject({
      path: utils.target,
      format: 'SOURCE',
      language: 'PYTHON',
      content: Buffer.from(`${deployed}${EDITED_IN_WORKSPACE}\n`),
      overwrite: true,
    });

    // Release 2 changes both notebooks; a line of one holds markup.
    const second = await start(
      bundleWith({
        [ingest.source]: '\n# COMMAND ----------\n\nprint("release 2 <script>alert(1)</script>")\n',
        [utils.source]: '\ndef release_two():\n    return 2\n',
      }),
    );
    const qaWaiting = await waitFor(second, (r) => qaOf(r)?.state === 'waiting', 'release 2 waiting in QA');
    const page = await fetch(qaOf(qaWaiting)?.approvalUrl ?? '');
    expect(page.status).toBe(200);
    const html = await page.text();

    const section = html.slice(html.indexOf('<section id="code-diff">'));
    expect(section).toContain('<h2>Code changes</h2>');
    expect(section).toContain('2 files changed, +7 −0 lines');
    const fileDiff = (key: string): string => {
      const from = section.indexOf(`data-key="${key}"`);
      expect(from, key).toBeGreaterThan(0);
      return section.slice(from, section.indexOf('</details>', from));
    };
    const ingestDiff = fileDiff(ingest.key);
    expect(ingestDiff).toContain('data-status="text"');
    expect(ingestDiff).toContain(
      '<span class="ln add">+print(&quot;release 2 &lt;script&gt;alert(1)&lt;/script&gt;&quot;)</span>',
    );
    expect(ingestDiff).not.toContain('class="drift"');
    expect(html).not.toContain('<script');

    const utilsDiff = fileDiff(utils.key);
    expect(utilsDiff).toContain('<span class="ln add">+def release_two():</span>');
    // The left side is what bricklane deployed (release storage), not the workspace's edited copy.
    expect(utilsDiff).not.toContain(EDITED_IN_WORKSPACE);
    expect(utilsDiff).toContain('<span class="drift">changed outside bricklane</span>');
    expect(utilsDiff).toMatch(
      /The workspace copy differs: the workspace copy was changed at [^<]+, after bricklane deployed it/,
    );
  }, 150_000);
});
