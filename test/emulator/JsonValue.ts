// Test infrastructure: the JSON shapes the emulated REST API reads and writes.
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}
