// Where a release's time went: working and waiting apart, and the timeline's bars on one axis.
import { describe, expect, it } from 'vitest';
import type { StageStatus } from '../../../src/release/ReleaseStatus';
import { currentPhase, describeStageTime, renderTimeline } from '../../../src/web/renderTimeline';

const NOW = new Date('2026-11-25T08:10:00Z');
const START = '2026-11-25T08:00:00.000Z';
/** QA as the issue found it: a 2 s deploy after a 70 s approval. */
const qa: StageStatus = {
  environment: 'qa',
  state: 'succeeded',
  startedAt: '2026-11-25T08:00:00.000Z',
  finishedAt: '2026-11-25T08:01:15.000Z',
  phases: {
    plan: { startedAt: '2026-11-25T08:00:00.000Z', finishedAt: '2026-11-25T08:00:03.000Z' },
    approval: { startedAt: '2026-11-25T08:00:03.000Z', finishedAt: '2026-11-25T08:01:13.000Z' },
    apply: { startedAt: '2026-11-25T08:01:13.000Z', finishedAt: '2026-11-25T08:01:15.000Z' },
  },
};
const prodLocked: StageStatus = {
  environment: 'prod',
  state: 'approved',
  startedAt: '2026-11-25T08:01:15.000Z',
  phases: {
    plan: { startedAt: '2026-11-25T08:01:15.000Z', finishedAt: '2026-11-25T08:01:16.000Z' },
    lock: { startedAt: '2026-11-25T08:01:16.000Z' },
  },
};

describe('describeStageTime', () => {
  it('says working and each wait apart', () => {
    expect(describeStageTime(qa, NOW)).toBe('5 s working · 1 min 10 s waiting for approval');
    expect(describeStageTime(prodLocked, NOW)).toBe('1 s working · 8 min 44 s waiting for another release');
  });

  it('says nothing for a stage without phases (a release from before they were recorded)', () => {
    expect(describeStageTime({ environment: 'dev', state: 'succeeded' }, NOW)).toBeUndefined();
  });
});

describe('currentPhase', () => {
  it('is the unfinished phase of a running stage, none once every phase finished', () => {
    expect(currentPhase(prodLocked)).toBe(prodLocked.phases?.lock);
    expect(currentPhase(qa)).toBeUndefined();
  });
});

describe('renderTimeline', () => {
  const html = renderTimeline(
    [{ environment: 'dev', state: 'pending' }, qa, prodLocked],
    START,
    undefined,
    NOW,
  );

  it('draws one lane per stage with phases, each phase a bar placed on the release axis', () => {
    expect(html.match(/<li data-environment=/g)).toHaveLength(2);
    expect(html).not.toContain('data-environment="dev"');
    const fragments = [
      // 10 min axis: the approval wait starts at 3 s (0.5%) and lasts 70 s (11.67%).
      '<span class="bar bar-approval" style="left:0.50%;width:11.67%" title="waiting for approval: 1 min 10 s">',
      // A 2 s deploy is wider than nothing: at least the minimum width.
      '<span class="bar bar-apply" style="left:12.17%;width:0.60%" title="deploy: 2 s">',
      'title="waiting for another release: 8 min 44 s so far"',
      '<span class="sr">plan: 3 s</span>',
      '(10 min 0 s so far)',
    ];
    for (const fragment of fragments) expect(html).toContain(fragment);
  });

  it('uses the release end as the axis end once it finished, no script, and nothing without phases', () => {
    const done = renderTimeline([qa], START, '2026-11-25T08:01:15.000Z', NOW);
    expect(done).toContain('<span class="bar bar-apply" style="left:97.33%;width:2.67%"');
    expect(done).toContain('(1 min 15 s)');
    expect(done).not.toMatch(/<script|\son\w+=/i);
    expect(renderTimeline([{ environment: 'dev', state: 'pending' }], START, undefined, NOW)).toBe('');
    // A release that stopped with the lock wait open: that wait ends with the release, not "so far".
    const stopped = renderTimeline([prodLocked], START, '2026-11-25T08:02:16.000Z', NOW);
    expect(stopped).toContain('title="waiting for another release: 1 min 0 s"');
  });

  it('draws provision and each wave inside the deploy bar, labelled, with their lengths', () => {
    const timed: StageStatus = {
      ...qa,
      phases: {
        ...qa.phases,
        provision: { startedAt: '2026-11-25T08:01:13.000Z', finishedAt: '2026-11-25T08:01:14.000Z' },
        waves: [
          { wave: 'clusters', startedAt: '2026-11-25T08:01:14.000Z', finishedAt: '2026-11-25T08:01:14.500Z' },
          { wave: '<files>', startedAt: '2026-11-25T08:01:14.500Z', finishedAt: '2026-11-25T08:01:15.000Z' },
        ],
      },
    };
    const drawn = renderTimeline([timed], START, '2026-11-25T08:01:15.000Z', NOW);
    // 75 s axis: the deploy starts at 73 s (97.33%); provision 1 s (1.33%), then the waves in order.
    const parts = [
      '<span class="bar part" style="left:97.33%;width:1.33%" title="provision: 1 s">' +
        '<span class="part-name" aria-hidden="true">provision</span><span class="sr">provision: 1 s</span></span>',
      '<span class="bar part" style="left:98.67%;width:0.67%" title="clusters: 1 s">',
      '<span class="bar part" style="left:99.33%;width:0.67%" title="&lt;files&gt;: 1 s">',
    ];
    const at = parts.map((part) => drawn.indexOf(part));
    for (const index of at) expect(index).toBeGreaterThan(drawn.indexOf('bar bar-apply'));
    expect(at).toEqual([...at].sort((a, b) => a - b));
    expect(drawn).not.toContain('<files>');
    // A stage without them (an older release) draws no part bars.
    expect(html).not.toContain('class="bar part"');
  });

  it('escapes environment names', () => {
    const evil = renderTimeline([{ ...qa, environment: '<b>x</b>' }], START, undefined, NOW);
    expect(evil).not.toContain('<b>');
  });
});
