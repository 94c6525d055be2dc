// Notices as Teams receives them, through the sandbox: the real function app on the local host stand-in, the
// durable replay, the emulated Databricks (token mode) and Azurite, and an HTTPS receiver standing in for the
// Teams webhook (BRICKLANE_<ENV>_NOTIFY_FORMAT=teams, since its host is not Teams'). Release 1 passes Dev and
// waits for QA's approvals (two; QA is a ring of two workspaces): QA's channel gets an Adaptive Card with the
// canary's stored plan counts, the code diff's size and the quorum's count, whose approval link opens the
// approval page. Release 2 fails Dev's check and Dev rolls back to release 1 by itself: Dev's channel gets a
// card that says "rolled back". Every card the receiver gets is checked against the official Adaptive Cards
// 1.4.0 schema. Then Dev's setting says slack, and release 3's Dev notice is Block Kit within Slack's limits.
import { BlobServiceClient } from '@azure/storage-blob';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReleaseStorage } from '../../src/azure/ReleaseStorage';
import type { ReleaseStatus } from '../../src/release/ReleaseStatus';
import type { SlackMessage } from '../../src/release/slackMessage';
import type { TeamsMessage } from '../../src/release/teamsMessage';
import { stageBundle } from '../../src/sources/stageBundle';
import { HttpsEndpoint } from '../emulator/HttpsEndpoint';
import { LocalWorld } from '../sandbox/LocalWorld';
import { SandboxApp } from '../sandbox/SandboxApp';
import { waitForRelease } from '../sandbox/waitForRelease';
import { slackProblems, teamsProblems, teamsTexts } from '../unit/release/channelSchemas';
import { writeCheckBundle } from './checkBundle';

interface Received {
  path: string;
  contentType: string | undefined;
  body: TeamsMessage | SlackMessage;
}

describe('notices to a channel webhook: Teams cards, then Slack blocks', () => {
  let world: LocalWorld;
  let app: SandboxApp;
  let hook: HttpsEndpoint;
  const received: Received[] = [];
  const dirs: string[] = [];

  beforeAll(async () => {
    hook = await HttpsEndpoint.start((request) => {
      received.push({
        path: request.url.pathname,
        contentType: request.headers['content-type'],
        body: JSON.parse(request.body.toString('utf8')) as TeamsMessage | SlackMessage,
      });
      return { status: 200 };
    });
    // QA is a ring of two workspaces: its one approval is asked on the canary's plan, which the card shows.
    world = await LocalWorld.start({
      environments: ['dev', 'qa'],
      auth: 'token',
      targets: { qa: ['a', 'b'] },
    });
    app = await SandboxApp.start(world, {
      settings: {
        BRICKLANE_CHECKS_POLL_SECONDS: '1',
        BRICKLANE_DEV_ROLLBACK: 'auto',
        BRICKLANE_DEV_NOTIFY_URL: `${hook.url}/dev`,
        BRICKLANE_DEV_NOTIFY_FORMAT: 'teams',
        BRICKLANE_QA_NOTIFY_URL: `${hook.url}/qa`,
        BRICKLANE_QA_NOTIFY_FORMAT: 'teams',
        BRICKLANE_QA_APPROVALS_REQUIRED: '2',
      },
    });
  });
  afterAll(async () => {
    await app?.stop();
    await world?.stop();
    await hook?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** Stages a check bundle with these notebooks and starts its release; its folder goes to `dirs`. */
  async function start(notebooks: Record<string, string>): Promise<string> {
    const dir = writeCheckBundle(notebooks);
    dirs.push(dir);
    const storage = new ReleaseStorage(
      BlobServiceClient.fromConnectionString(world.azurite.connectionString),
    );
    const started = await app.call('POST', 'releases', {
      bundleId: (await stageBundle(storage, dir)).bundleId,
    });
    expect(started.status).toBe(202);
    return (started.json as { releaseId: string }).releaseId;
  }

  /** Polls `done` every 100 ms, a minute at most. */
  async function until(done: () => boolean): Promise<void> {
    for (const deadline = Date.now() + 60_000; !done() && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  const cards = (path: string): TeamsMessage[] =>
    received.flatMap((r) => (r.path === path && 'attachments' in r.body ? [r.body] : []));
  const title = (card: TeamsMessage | undefined): string | undefined =>
    card ? teamsTexts(card).markdown[0] : undefined;
  const facts = (card: TeamsMessage | undefined): Record<string, string> =>
    Object.fromEntries(
      (card?.attachments[0].content.body ?? []).flatMap((e) =>
        e.type === 'FactSet' ? e.facts.map((f) => [f.title, f.value]) : [],
      ),
    );

  it('sends an approval card with the plan and the code diff, whose link opens the approval page', async () => {
    const id = await start({ smoke: 'assert True' });
    await until(() => cards('/qa').length > 0);

    const [asked] = cards('/qa');
    expect(title(asked)).toBe(`Approval needed: release ${id} to qa`);
    expect(received.every((r) => r.contentType === 'application/json')).toBe(true);
    for (const { body } of received) expect(teamsProblems(body as TeamsMessage)).toEqual([]);
    // Read from release storage: the stored plan's counts and the code diff's size.
    expect(facts(asked)).toMatchObject({
      Environment: 'qa',
      Release: id,
      Plan: '2 to create, 0 to update, 0 to delete',
      'Code diff': '1 file changed, +2 −0 lines',
      // The gate's policy state: QA needs two approvals, none given yet.
      Approvals: '0 of 2 received',
    });
    expect(facts(asked)).toMatchObject({ notebooks: '1 to create', jobs: '1 to create' });
    const actions = asked?.attachments[0].content.actions ?? [];
    expect(actions.map((a) => a.title)).toEqual(['Review and decide', 'Release status']);
    const page = await fetch(actions[0]?.url ?? '');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Approve');
    // Dev's own card: succeeded.
    expect(cards('/dev').map(title)).toEqual([`dev succeeded: release ${id}`]);
  });

  it('sends a card that says "rolled back" when Dev puts the previous bundle back', async () => {
    world.emulator.scriptRuns('dev', 'smoke_test', [
      {
        result: 'FAILED',
        message: 'AssertionError: [click me](https://evil.example) <at>all</at>',
        pendingInMs: 0,
        durationInMs: 0,
      },
      { result: 'SUCCESS', pendingInMs: 0, durationInMs: 0 },
    ]);
    const id = await start({ smoke: 'assert 1 + 1 == 2' });
    const view = await waitForRelease<ReleaseStatus & { runtimeStatus: string }>(
      app,
      id,
      (r) => r.runtimeStatus === 'Completed' || r.runtimeStatus === 'Failed',
      'release 2 to end',
    );
    expect(view.state, JSON.stringify(view)).toBe('rolledBack');

    const back = cards('/dev').at(-1);
    expect(teamsProblems(back as TeamsMessage)).toEqual([]);
    expect(back?.attachments[0].content.body[0]).toMatchObject({
      text: `dev rolled back: release ${id}`,
      color: 'Attention',
    });
    // The check's own error is shown as written, in a TextRun: no markdown link, no mention.
    const { markdown, runs } = teamsTexts(back as TeamsMessage);
    expect(runs.join('')).toContain('[click me](https://evil.example) <at>all</at>');
    expect(markdown.join(' ')).not.toContain('evil.example');
    expect(back?.attachments[0].content.actions.map((a) => a.title)).toEqual(['Release status']);
  });

  it('sends Block Kit within its limits once the environment says slack (BRICKLANE_DEV_NOTIFY_FORMAT=slack)', async () => {
    // As an operator changes an app setting: the app reads its settings again.
    process.env.BRICKLANE_DEV_NOTIFY_FORMAT = 'slack';
    try {
      const id = await start({ smoke: 'assert 3 == 3' });
      const slack = (): SlackMessage | undefined =>
        received.flatMap((r) => (r.path === '/dev' && 'blocks' in r.body ? [r.body] : [])).at(-1);
      await until(() => slack() !== undefined);
      const message = slack() as SlackMessage;
      expect(slackProblems(message)).toEqual([]);
      expect(message.text).toMatch(new RegExp(`^bricklane: dev succeeded for release ${id}\\. Plan: `));
      expect(message.blocks[0]).toMatchObject({ text: { text: `*dev succeeded: release ${id}*` } });
    } finally {
      process.env.BRICKLANE_DEV_NOTIFY_FORMAT = 'teams';
    }
  });
});
