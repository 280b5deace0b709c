/**
 * One error model: every failure the project raises on purpose is a BadgerError with a literal
 * `code` from the registry (error-codes.ts), a message for people and, where it wraps another
 * failure, that failure as `cause`. The subclasses only narrow the code to one family, so that a
 * signature says which codes a function can raise.
 */
import type { ClaimsErrorCode } from '../claims/index.ts';
import { type ErrorCode, isErrorCode } from './error-codes.ts';

export { ERROR_CODES, isErrorCode, type ErrorCode } from './error-codes.ts';

export class BadgerError<Code extends string = ErrorCode> extends Error {
  override name = 'BadgerError';
  readonly code: Code;

  constructor(code: Code, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** The codes that start with one of the prefixes: one family's. */
export type ErrorFamily<Prefix extends string> = Extract<ErrorCode, `${Prefix}_${string}`>;

export type HostErrorCode = ErrorFamily<'HOST' | 'CONTROL' | 'ACTOR' | 'PROVIDER' | 'LINK' | 'ARTIFACT' | 'POLICY'> | ClaimsErrorCode;

export class HostError extends BadgerError<HostErrorCode> {
  override name = 'HostError';
}

export type LatticeErrorCode = ErrorFamily<'LATTICE'>;

export class LatticeError extends BadgerError<LatticeErrorCode> {
  override name = 'LatticeError';
}

export type HttpServerErrorCode = ErrorFamily<'HTTP'>;

export class HttpServerError extends BadgerError<HttpServerErrorCode> {
  override name = 'HttpServerError';
}

/**
 * A failure another process reported, by the code it sent. A code this end does not know (a newer
 * peer's) is kept as it came, so that it still reaches the user and the exit line.
 */
export class RemoteError extends BadgerError<string> {
  override name = 'RemoteError';

  /** Whether the code is one of this version's. */
  get known(): boolean {
    return isErrorCode(this.code);
  }
}

/** How much of a reason from elsewhere is kept: enough for any real one, not a flood. */
const MAX_REMOTE_REASON = 2048;

/**
 * The error a `{ ok: false, code, message }` answer from elsewhere stands for. Its reason ends up
 * on someone's terminal, so it is made one bounded line of printable text: control characters (an
 * escape sequence could rewrite the screen, a newline could forge a second `error[…]` line) and
 * bidirectional overrides (they reorder what is shown) become a space.
 */
export function remoteError(answer: { readonly code?: unknown; readonly message?: unknown; readonly reason?: unknown }): RemoteError {
  const code = typeof answer.code === 'string' && /^[A-Z][A-Z0-9_]{0,63}$/.test(answer.code) ? answer.code : 'HOST_INTERNAL';
  const given = typeof answer.message === 'string' ? answer.message : typeof answer.reason === 'string' ? answer.reason : 'no reason given';
  const printable = given.slice(0, MAX_REMOTE_REASON * 2).replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]+/g, ' ').trim();
  const text = printable.length > MAX_REMOTE_REASON ? `${printable.slice(0, MAX_REMOTE_REASON)}…` : printable || 'no reason given';
  return new RemoteError(code, text);
}
