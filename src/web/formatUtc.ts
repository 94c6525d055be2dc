// Pure: a time for people in several time zones: `2026-11-27 10:00:05 UTC`.

export function formatUtc(time: Date | string): string {
  const date = typeof time === 'string' ? new Date(time) : time;
  if (Number.isNaN(date.getTime())) return String(time);
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
