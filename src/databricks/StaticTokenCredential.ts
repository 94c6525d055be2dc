// Pure: a fixed bearer token (a personal access token, or a token obtained elsewhere).
import type { DatabricksCredential } from './DatabricksCredential';

export class StaticTokenCredential implements DatabricksCredential {
  // A private field, not a property, so console.log / JSON.stringify of the credential never shows it.
  readonly #token: string;

  constructor(token: string) {
    if (token.trim() === '') {
      throw new TypeError('databricks: StaticTokenCredential needs a non-empty token');
    }
    this.#token = token.trim();
  }

  async getHeaders(): Promise<Record<string, string>> {
    return { Authorization: `Bearer ${this.#token}` };
  }
}
