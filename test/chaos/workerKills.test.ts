// Test infrastructure: each way the chaos harness kills a Functions worker happens where it says, and the
// release resumes on the next worker and ends as a release that no kill touched: a kill between two history
// commits, one inside an activity, one during a ledger write (before and after storage applied it), and one
// at a time. No faults, no outage: only the kills.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NormalizedState } from '../sandbox/normalizeWorldState';
import { checkChaosRun, expectedState } from './checkChaosRun';
import { LEDGER_CONTAINER, runChaosRelease } from './runChaosRelease';

const BUNDLE = join(__dirname, '..', '..', 'artifacts');
const quiet = (): void => {};
let clean: NormalizedState;

beforeAll(async () => {
  const run = await runChaosRelease(BUNDLE, { workers: [], limitInMs: 120_000 }, quiet);
  expect(run.status?.state, run.error).toBe('succeeded');
  clean = expectedState(run);
}, 150_000);

describe('a worker killed', () => {
  it('between history commits, inside an activity and during ledger writes: the release resumes each time', async () => {
    const run = await runChaosRelease(
      BUNDLE,
      {
        workers: [
          { killAfterMs: 1500 },
          { crashPoint: 'commit:5' },
          { crashPoint: 'activity:3:20' },
          { duringWrite: { container: LEDGER_CONTAINER, at: 2, when: 'before-applied' } },
          { duringWrite: { container: LEDGER_CONTAINER, at: 1, when: 'after-applied' } },
        ],
        limitInMs: 150_000,
      },
      quiet,
    );
    const story = run.story.join('\n');
    expect(story).toMatch(/^worker 2 killed itself at commit:5 /m);
    expect(story).toMatch(/^worker 3 killed itself at activity:3:20 /m);
    expect(story).toMatch(/^worker 4 killed during bricklane-ledger write 2 /m);
    expect(story).toMatch(/^bricklane-ledger write 2 never reached storage \(the worker died first\)$/m);
    expect(story).toMatch(/^worker 5 killed during bricklane-ledger write 1 /m);
    expect(story).toMatch(/^bricklane-ledger write 1 applied by storage, its answer lost with the worker$/m);
    expect(story).toMatch(/^worker 1 killed 1500 ms after it was ready /m);
    expect(story).toMatch(/^worker 6 ready /m);
    expect(checkChaosRun(run, clean).problems).toEqual([]);
  }, 200_000);

  // Found by `npm run chaos`, seed 5015: the worker died during the ledger write that recorded a cluster policy
  // it had just created; the resumed policies wave tried to create it again (Databricks refuses a second
  // policy of one name), and the clusters that name the policy failed: "cluster Small uses cluster policy …,
  // which was not deployed". A resumed wave now finds a policy as it finds a cluster or a job.
  it('during the ledger write that records a new cluster policy: the resumed wave finds the policy it made', async () => {
    const run = await runChaosRelease(
      BUNDLE,
      {
        workers: [
          {
            duringWrite: {
              container: LEDGER_CONTAINER,
              at: 1,
              when: 'before-applied',
              bodyIncludes: '"policies.',
            },
          },
        ],
        limitInMs: 150_000,
      },
      quiet,
    );
    expect(run.story.join('\n')).toMatch(
      /^worker 1 killed during bricklane-ledger write 1 with "policies\. /m,
    );
    expect(checkChaosRun(run, clean).problems).toEqual([]);
  }, 200_000);
});
