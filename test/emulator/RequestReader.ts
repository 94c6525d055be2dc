// Test infrastructure: typed access to a request's JSON body or query string.
// Wrong or missing fields become 400 INVALID_PARAMETER_VALUE, as the real API answers them.
import { ApiError } from './ApiError';
import type { JsonObject, JsonValue } from './JsonValue';

export class RequestReader {
  private constructor(
    private readonly values: JsonObject,
    private readonly source: 'body' | 'query',
    private readonly query?: URLSearchParams,
  ) {}

  static fromBody(body: JsonObject): RequestReader {
    return new RequestReader(body, 'body');
  }

  static fromQuery(query: URLSearchParams): RequestReader {
    const values: JsonObject = {};
    for (const [key, value] of query) if (!(key in values)) values[key] = value;
    return new RequestReader(values, 'query', query);
  }

  /** The whole body, for endpoints whose body is itself a spec or settings object. */
  get body(): JsonObject {
    return this.values;
  }

  value(name: string): JsonValue | undefined {
    return this.values[name];
  }

  string(name: string): string {
    const value = this.optionalString(name);
    if (value === undefined || value === '') throw missing(name);
    return value;
  }

  optionalString(name: string): string | undefined {
    const value = this.values[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string')
      throw ApiError.invalidParameter(`Invalid value for ${name}: expected a string`);
    return value;
  }

  /**
   * A repeated field: every `name=` of the query string (the SDKs flatten a GET's nested message to
   * `filter_by.cluster_states=RUNNING&filter_by.cluster_states=PENDING`), or a body's array of strings.
   */
  strings(name: string): string[] {
    if (this.query) return this.query.getAll(name);
    const value = this.values[name];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
      throw ApiError.invalidParameter(`Invalid value for ${name}: expected an array of strings`);
    }
    return value as string[];
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.values[name];
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'boolean') return value;
    if (this.source === 'query' && (value === 'true' || value === 'false')) return value === 'true';
    throw ApiError.invalidParameter(`Invalid value for ${name}: expected a boolean`);
  }

  /** Accepts JSON numbers and, as proto3 JSON does for int64, decimal strings. */
  integer(name: string): number {
    const value = this.optionalInteger(name);
    if (value === undefined) throw missing(name);
    return value;
  }

  optionalInteger(name: string): number | undefined {
    const value = this.values[name];
    if (value === undefined || value === null || value === '') return undefined;
    const number = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isSafeInteger(number)) {
      throw ApiError.invalidParameter(`Invalid value for ${name}: expected an integer`);
    }
    return number;
  }

  object(name: string): JsonObject {
    const value = this.values[name];
    if (value === undefined || value === null) throw missing(name);
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw ApiError.invalidParameter(`Invalid value for ${name}: expected an object`);
    }
    return value;
  }

  /** Standard base64; padding is optional, as for the JVM decoder behind the real API. */
  base64(name: string): Buffer {
    const value = this.values[name];
    if (value === undefined || value === null) throw missing(name);
    if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 === 1) {
      throw ApiError.invalidParameter(`Invalid value for ${name}: expected base64`);
    }
    return Buffer.from(value, 'base64');
  }
}

function missing(name: string): ApiError {
  return ApiError.invalidParameter(`Missing required field: ${name}`);
}
