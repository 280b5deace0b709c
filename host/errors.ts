/** Stable codes: callers switch on these, never on message text. */
import type { ClaimsErrorCode } from '../claims/index.ts';

export type HostErrorCode =
  | 'ACTOR_NOT_FOUND'
  | 'HOST_NOT_RUNNING'
  | 'HOST_ACCESS_DENIED'
  | 'HOST_ALREADY_RUNNING'
  | 'CONTROL_MALFORMED'
  | 'CONTROL_UNKNOWN_OP'
  | 'CONTROL_TOO_LARGE'
  | 'ACTOR_ALREADY_RUNNING'
  | 'ACTOR_MEMORY_LIMIT'
  | 'PROVIDER_NOT_FOUND'
  | 'PROVIDER_ALREADY_RUNNING'
  | 'LINK_NOT_FOUND'
  | 'ARTIFACT_UNREADABLE'
  | 'ARTIFACT_TOO_LARGE'
  | 'ARTIFACT_FETCH_TIMEOUT'
  | 'ARTIFACT_NOT_A_COMPONENT'
  | 'POLICY_MALFORMED'
  | 'POLICY_UNREADABLE'
  | 'POLICY_UNSIGNED_DENIED'
  | 'POLICY_ISSUER_DENIED'
  | 'POLICY_COMPONENT_DENIED'
  | 'POLICY_CAPABILITY_DENIED';

export class HostError extends Error {
  readonly code: HostErrorCode | ClaimsErrorCode;

  constructor(code: HostErrorCode | ClaimsErrorCode, message: string) {
    super(message);
    this.name = 'HostError';
    this.code = code;
  }
}
