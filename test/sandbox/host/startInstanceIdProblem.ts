// Test infrastructure: the instance ids DurableClient.StartNewAsync refuses, with the messages of the
// ArgumentExceptions it throws (the HTTP API answers those with 400). azure-functions-durable-extension
// src/WebJobs.Extensions.DurableTask/ContextImplementations/DurableClient.cs (StartNewAsync,
// IsInvalidCharacter, MaxInstanceIdLength = 256), commit a7c6d6944041b48267ed8409bb8ec8144ab9bab9.

const MAX_INSTANCE_ID_LENGTH = 256;

/** .NET's char.IsControl: the Unicode Cc category, U+0000-U+001F and U+007F-U+009F. */
function isControl(code: number): boolean {
  return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
}

function isInvalidCharacter(char: string): boolean {
  return char === '/' || char === '\\' || char === '?' || char === '#' || isControl(char.charCodeAt(0));
}

/**
 * Why the extension would refuse `instanceId` on startNew, or undefined. The extension passes its two
 * ArgumentException arguments the other way round (message "instanceId", paramName the explanation), so
 * .NET's Message reads "instanceId (Parameter '...')"; we keep that text.
 */
export function startInstanceIdProblem(instanceId: string): string | undefined {
  if (instanceId.startsWith('@'))
    return "instanceId (Parameter 'Orchestration instance ids must not start with @.')";
  if ([...instanceId].some(isInvalidCharacter))
    return "instanceId (Parameter 'Orchestration instance ids must not contain /, \\, #, ?, or control characters.')";
  // .NET counts UTF-16 code units, as String.length does.
  if (instanceId.length > MAX_INSTANCE_ID_LENGTH)
    return `Instance ID lengths must not exceed ${MAX_INSTANCE_ID_LENGTH} characters.`;
  return undefined;
}
