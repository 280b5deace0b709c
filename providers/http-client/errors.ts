import { BadgerError, type ErrorFamily } from '../../host/index.ts';

export type HttpClientErrorCode = ErrorFamily<'HTTP_CLIENT'>;

/** What goes wrong in the outgoing-HTTP provider, below the WIT interface. */
export class HttpClientError extends BadgerError<HttpClientErrorCode> {
  override name = 'HttpClientError';
}
