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

export class ClaimsError extends Error {
  readonly code: ClaimsErrorCode;

  constructor(code: ClaimsErrorCode, message: string) {
    super(message);
    this.name = 'ClaimsError';
    this.code = code;
  }
}
