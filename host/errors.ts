/** Stable codes: callers switch on these, never on message text. */
export type HostErrorCode =
  | 'ARTIFACT_UNREADABLE'
  | 'ARTIFACT_TOO_LARGE'
  | 'POLICY_MALFORMED'
  | 'POLICY_UNREADABLE'
  | 'POLICY_UNSIGNED_DENIED'
  | 'POLICY_ISSUER_DENIED'
  | 'POLICY_COMPONENT_DENIED'
  | 'POLICY_CAPABILITY_DENIED';

export class HostError extends Error {
  readonly code: HostErrorCode;

  constructor(code: HostErrorCode, message: string) {
    super(message);
    this.name = 'HostError';
    this.code = code;
  }
}
