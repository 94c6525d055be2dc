// Pure: how a summary names the field it is about (`num_workers`); the full JSON path is in `path`.

export function fieldLabel(segments: readonly PropertyKey[], root = 'The file'): string {
  const last = [...segments].reverse().find((s): s is string => typeof s === 'string');
  return last === undefined ? root : `\`${last}\``;
}
