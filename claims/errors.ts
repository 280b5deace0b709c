/** Stable codes: callers switch on these, never on message text. */
export type ClaimsErrorCode =
  | 'CLAIMS_MISSING'
  | 'CLAIMS_MALFORMED'
  | 'CLAIMS_BAD_SIGNATURE'
  | 'CLAIMS_HASH_MISMATCH'
  | 'CLAIMS_EXPIRED'
  | 'CLAIMS_NOT_YET_VALID'
  | 'CLAIMS_BAD_ISSUER'
  | 'CLAIMS_BAD_SUBJECT'
  | 'WASM_MALFORMED'
  | 'NKEY_MALFORMED'
  | 'NKEY_WRONG_TYPE';

/**
 * The shape of the host's BadgerError (a literal code, a message, a cause), made here because
 * claims/ imports nothing of the project: it is the part that another tool could take alone.
 */
export class ClaimsError extends Error {
  override name = 'ClaimsError';
  readonly code: ClaimsErrorCode;

  constructor(code: ClaimsErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}
