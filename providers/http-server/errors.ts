/** Stable codes for what can go wrong when a link asks for a listener. */
export type HttpServerErrorCode = 'HTTP_BAD_LINK_CONFIG' | 'HTTP_ADDRESS_IN_USE' | 'HTTP_LISTEN_FAILED';

export class HttpServerError extends Error {
  readonly code: HttpServerErrorCode;

  constructor(code: HttpServerErrorCode, message: string) {
    super(message);
    this.name = 'HttpServerError';
    this.code = code;
  }
}
