// Test infrastructure: `npm run sandbox -- --scenario rollback`, issue 16's release that proves itself, end to end
// on the local world: release 1 of the bundle goes through Dev, QA and Prod (each through its smoke check), then
// release 2 (the same bundle with one notebook changed) passes Dev's check, fails QA's (the emulated run is
// scripted to fail), and QA, with BRICKLANE_QA_ROLLBACK=auto, rolls back to release 1's bundle by itself. The
// scenario then checks from outside the product: QA's workspace holds exactly what release 1 left there (the
// emulator's own snapshot, every object and its content), the release and QA's stage end `rolledBack`, QA's
// status page says "Rolled back", and QA's notification channel got a notice saying "rolled back".
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { HttpsEndpoint } from '../emulator/HttpsEndpoint';
import { LocalWorld } from './LocalWorld';
import { runRelease } from './runRelease';
import { SandboxApp } from './SandboxApp';

/** The scripted failure of QA's check run in release 2 (its task's error, as runs/get-output gives it). */
const FAILURE = 'AssertionError: orders_today has 0 rows (scripted by the sandbox)';
/** The check job of the sample bundle (artifacts/bricklane.json `checks`). */
const CHECK_JOB = 'smoke_test';
/** The notebook release 2 changes. */
const CHANGED_NOTEBOOK = join('notebooks', 'checks', 'smoke.py');

interface StageJson {
  environment: string;
  state: string;
  message?: string;
}

export async function runRollbackScenario(
  bundleDir: string,
  log: (line: string) => void,
  worldDir?: string,
): Promise<number> {
  const notices: string[] = [];
  const hook = await HttpsEndpoint.start((request) => {
    notices.push(String((JSON.parse(request.body.toString('utf8')) as { text?: unknown }).text ?? ''));
    return { status: 200 };
  });
  const world = await LocalWorld.start({ worldDir, environments: ['dev', 'qa', 'prod'] });
  const changed = mkdtempSync(join(tmpdir(), 'bricklane-rollback-scenario-'));
  let app: SandboxApp | undefined;
  try {
    app = await SandboxApp.start(world, {
      worldDir,
      settings: { BRICKLANE_QA_ROLLBACK: 'auto', BRICKLANE_QA_NOTIFY_URL: `${hook.url}/qa` },
    });
    log(`sandbox: rollback scenario; function app at ${app.url}, BRICKLANE_QA_ROLLBACK=auto`);
    log('release 1: the bundle through Dev, QA and Prod, each through its smoke check');
    const first = await runRelease(app, { bundleDir, approve: 'all', log });
    if (first.status['state'] !== 'succeeded') {
      log(`rollback scenario: release 1 ended ${String(first.status['state'])}, not succeeded`);
      return 1;
    }
    const qaWorkspace = world.workspaceName('qa');
    if (!qaWorkspace) throw new Error('the world has no QA workspace after release 1');
    const { runs: _firstRuns, ...qaAfterFirst } = world.emulator.snapshot(qaWorkspace);

    // Release 2: one notebook changed, so it is a different bundle; QA's next check run fails.
    cpSync(bundleDir, changed, { recursive: true });
    const notebook = join(changed, CHANGED_NOTEBOOK);
    writeFileSync(notebook, `${readFileSync(notebook, 'utf8')}\n# release 2 of the rollback scenario\n`);
    world.emulator.scriptRuns(qaWorkspace, CHECK_JOB, [
      { result: 'FAILED', message: FAILURE, pendingInMs: 0, durationInMs: 500 },
    ]);
    log(`release 2: ${CHANGED_NOTEBOOK} changed; QA's ${CHECK_JOB} run is scripted to fail`);
    const second = await runRelease(app, { bundleDir: changed, approve: 'all', log });

    const stages = (second.status['stages'] ?? []) as StageJson[];
    const qa = stages.find((s) => s.environment === 'qa');
    const { runs: _runs, ...qaNow } = world.emulator.snapshot(qaWorkspace);
    const page = await fetch(app.statusLink(second.releaseId), { headers: { accept: 'text/html' } });
    const html = await page.text();
    const checks: [string, boolean][] = [
      [
        `release 2 ended rolledBack (was ${String(second.status['state'])})`,
        second.status['state'] === 'rolledBack',
      ],
      [
        `Dev succeeded, QA rolled back, Prod skipped (${stages.map((s) => `${s.environment} ${s.state}`).join(', ')})`,
        isDeepStrictEqual(
          stages.map((s) => s.state),
          ['succeeded', 'rolledBack', 'skipped'],
        ),
      ],
      [
        `QA's stage names the failed check and the bundle it went back to`,
        (qa?.message ?? '').includes(FAILURE) && (qa?.message ?? '').includes(first.bundleId),
      ],
      [
        "QA's workspace holds exactly release 1's objects (every notebook, file, cluster, job and policy, with content)",
        isDeepStrictEqual(qaNow, qaAfterFirst),
      ],
      [`QA's status page says "Rolled back" (${page.status})`, page.ok && /rolled back/i.test(html)],
      [
        `QA's notification says "rolled back" (${notices.length} notice(s) received)`,
        notices.some((n) => n.includes('rolled back') && n.includes(second.releaseId)),
      ],
    ];
    for (const [what, ok] of checks) log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
    const failed = checks.filter(([, ok]) => !ok).length;
    log(
      failed === 0
        ? `rollback scenario: QA rolled back to release ${first.releaseId} by itself (status: ${app.statusLink(second.releaseId)})`
        : `rollback scenario: ${failed} check(s) failed`,
    );
    return failed === 0 ? 0 : 1;
  } finally {
    await app?.stop();
    await world.stop();
    await hook.stop();
    rmSync(changed, { recursive: true, force: true });
  }
}
