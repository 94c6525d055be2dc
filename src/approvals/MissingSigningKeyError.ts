// Pure: approval links cannot be signed because no signing key is configured; says how to set one.

export class MissingSigningKeyError extends Error {
  readonly code = 'MissingSigningKey';
  constructor() {
    super(
      'approvals: BRICKLANE_APPROVAL_SIGNING_KEYS is empty, so approval links cannot be signed. Set it to a ' +
        'random key of at least 32 characters (e.g. openssl rand -base64 48); to rotate, put the new key first ' +
        'and keep the old one after it until its links have expired',
    );
    this.name = 'MissingSigningKeyError';
  }
}
