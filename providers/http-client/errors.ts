import { BadgerError, type ErrorCode } from '../../host/guest-side.ts';

/** The HTTP_CLIENT_… codes (ErrorFamily<'HTTP'> would take the HTTP server's too). */
export type HttpClientErrorCode = Extract<ErrorCode, `HTTP_CLIENT_${string}`>;

/** What goes wrong in the outgoing-HTTP provider, below the WIT interface. */
export class HttpClientError extends BadgerError<HttpClientErrorCode> {
  override name = 'HttpClientError';
}
