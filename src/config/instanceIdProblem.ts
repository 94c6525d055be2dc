// Pure: the Durable extension's rules for an orchestration instance id, checked before an id is used.
// The extension refuses `/`, `\`, `#`, `?`, control characters and a leading `@` (azure-functions-durable-
// extension, DurableClient.cs: IsInvalidCharacter and the "@" check of StartNewAsync), and durable-functions
// puts the id into URL paths without encoding it. An id that breaks a rule would fail on Azure only.

/** What is wrong with `id` as an instance id, or undefined when the extension accepts it. */
export function instanceIdProblem(id: string): string | undefined {
  if (id.length === 0) return 'an instance id cannot be empty';
  if (id.startsWith('@')) return `instance id "${printable(id)}" must not start with "@"`;
  const bad = [...id].find((c) => '/\\#?'.includes(c) || isControl(c));
  if (bad !== undefined)
    return `instance id "${printable(id)}" contains ${describe(bad)}; the Durable extension refuses / \\ # ? and control characters`;
  return undefined;
}

function isControl(c: string): boolean {
  const code = c.codePointAt(0) ?? 0;
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

function describe(c: string): string {
  return isControl(c)
    ? `the control character U+${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`
    : `"${c}"`;
}

function printable(id: string): string {
  // eslint-disable-next-line no-control-regex
  return id.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').slice(0, 100);
}
