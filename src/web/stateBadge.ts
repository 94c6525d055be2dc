// Pure: a release or stage state as a coloured label. The label carries the meaning (colour alone fails
// colour-blind readers and screen readers); `data-state` keeps the raw value for tools and tests.
import { describeState } from './describeState';
import { escapeHtml } from './escapeHtml';

export function stateBadge(state: string): string {
  const { label, tone } = describeState(state);
  return `<span class="st st-${tone}" data-state="${escapeHtml(state)}">${escapeHtml(label)}</span>`;
}
