// Test infrastructure: a bare REST call to an emulated workspace, for the emulator's own tests.
// Deliberately not the bricklane client: these tests pin the emulator's rules, not the client's handling.
import { DatabricksEmulator } from './DatabricksEmulator';
import type { JsonObject } from './JsonValue';

export interface ApiResult {
  status: number;
  body: JsonObject;
  headers: Headers;
}

/** GET payload fields become the query string (an array repeats its key); POST payloads are sent as a JSON body. */
export async function callApi(
  workspaceUrl: string,
  method: 'GET' | 'POST',
  endpoint: string,
  payload: JsonObject = {},
  token: string | undefined = DatabricksEmulator.defaultToken,
): Promise<ApiResult> {
  const url = new URL(`${workspaceUrl}/api/${endpoint}`);
  if (method === 'GET')
    for (const [key, value] of Object.entries(payload))
      for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(key, String(item));
  const response = await fetch(url, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
    ...(method === 'POST' ? { body: JSON.stringify(payload) } : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as JsonObject) : {},
    headers: response.headers,
  };
}
