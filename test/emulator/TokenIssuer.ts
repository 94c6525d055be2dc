// Test infrastructure: issues and checks the emulator's AAD-shaped access tokens (JWT, HS256).
// Real AAD signs with RS256 keys published at jwks_uri; nothing in bricklane verifies signatures (only the
// services do), so a shared HMAC key keeps the emulator small while the tokens still look like AAD's to
// anyone decoding them (aud, oid, tid, appid, exp). The key is saved with the Azure world so tokens cached
// by a long-lived process survive a sandbox restart.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface TokenClaims {
  aud: string;
  iss: string;
  /** Object id of the principal (managed identity or service principal). */
  oid: string;
  sub: string;
  tid: string;
  appid: string;
  iat: number;
  nbf: number;
  exp: number;
  ver: string;
  idtyp: 'app';
}

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; reason: string };

export interface TokenRequest {
  audience: string;
  objectId: string;
  tenantId: string;
  appId: string;
  /** '1.0' for managed identity answers, '2.0' for the v2 token endpoint, as AAD does. */
  version: '1.0' | '2.0';
  /** Overrides the issuer's lifetime (tests make tokens that are about to expire). */
  lifetimeInSeconds?: number;
}

export class TokenIssuer {
  constructor(
    /** Replaced when a saved world is loaded, so that world's tokens stay valid. */
    public signingKey: string,
    private readonly issuerBase: () => string,
    private readonly now: () => number,
    private readonly lifetimeInSeconds: number,
  ) {}

  issue(request: TokenRequest): { token: string; claims: TokenClaims } {
    const iat = Math.floor(this.now() / 1000);
    const claims: TokenClaims = {
      aud: request.audience,
      iss: `${this.issuerBase()}/${request.tenantId}/v2.0`,
      oid: request.objectId,
      sub: request.objectId,
      tid: request.tenantId,
      appid: request.appId,
      iat,
      nbf: iat,
      exp: iat + (request.lifetimeInSeconds ?? this.lifetimeInSeconds),
      ver: request.version,
      idtyp: 'app',
    };
    const header = encode({ typ: 'JWT', alg: 'HS256' });
    const body = `${header}.${encode(claims)}`;
    return { token: `${body}.${this.sign(body)}`, claims };
  }

  /**
   * Checks signature and lifetime. `minimumRemainingInSeconds` mirrors services that refuse tokens about to
   * expire (Azure Databricks wants 30 s left).
   */
  verify(token: string, minimumRemainingInSeconds = 0): TokenCheck {
    const parts = token.split('.');
    if (parts.length !== 3) return { ok: false, reason: 'The token is not a JWT.' };
    const [header, payload, signature] = parts as [string, string, string];
    const expected = Buffer.from(this.sign(`${header}.${payload}`));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return { ok: false, reason: 'The token signature is invalid.' };
    }
    let claims: TokenClaims;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
    } catch {
      return { ok: false, reason: 'The token payload is not JSON.' };
    }
    const nowInSeconds = Math.floor(this.now() / 1000);
    if (claims.exp < nowInSeconds + minimumRemainingInSeconds) {
      return { ok: false, reason: `The token is expired (exp ${claims.exp}, now ${nowInSeconds}).` };
    }
    return { ok: true, claims };
  }

  /** True when the token's audience names `resource`, with or without a trailing slash. */
  static audienceMatches(claims: TokenClaims, resource: string): boolean {
    return trimSlash(claims.aud).toLowerCase() === trimSlash(resource).toLowerCase();
  }

  /** `https://vault.azure.net/.default` and `https://vault.azure.net/` both name `https://vault.azure.net`. */
  static resourceOfScope(scope: string): string {
    return trimSlash(scope.replace(/\/\.default$/i, ''));
  }

  private sign(data: string): string {
    return createHmac('sha256', this.signingKey).update(data).digest('base64url');
  }
}

function trimSlash(value: string): string {
  return value.replace(/\/+$/, '');
}

function encode(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
