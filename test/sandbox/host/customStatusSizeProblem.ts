// Test infrastructure: the Durable extension's limit on an orchestration's custom status. The out-of-proc
// shim hands the worker's customStatus to SetCustomStatus (OutOfProcOrchestrationShim.cs,
// ScheduleDurableTaskEvents), which serializes it with a 16 KB cap (DurableOrchestrationContext.cs,
// MaxCustomStatusPayloadSizeInKB = 16) measured in UTF-16 (MessagePayloadDataConverter.Serialize:
// `(int)(Encoding.Unicode.GetByteCount(json) / 1024.0) > maxSizeInKB` throws ArgumentException).
// azure-functions-durable-extension a7c6d6944041b48267ed8409bb8ec8144ab9bab9.

export const MAX_CUSTOM_STATUS_IN_KB = 16;

/** The UTF-16 size of a JSON text in bytes, as Azure Storage stores strings (2 bytes per UTF-16 unit). */
export function utf16Bytes(json: string): number {
  return json.length * 2;
}

/**
 * The extension's ArgumentException message when `json` (the custom status, JSON-serialized) is over the
 * limit; undefined when it fits. The size is truncated to whole KB before the comparison, as there.
 */
export function customStatusSizeProblem(json: string | null): string | undefined {
  if (json === null) return undefined;
  const sizeInKB = Math.trunc(utf16Bytes(json) / 1024);
  if (sizeInKB <= MAX_CUSTOM_STATUS_IN_KB) return undefined;
  const kb = (n: number): string => n.toLocaleString('en-US');
  return (
    `The UTF-16 size of the JSON-serialized payload must not exceed ${kb(MAX_CUSTOM_STATUS_IN_KB)} KB. ` +
    `The current payload size is ${kb(sizeInKB)} KB.`
  );
}
