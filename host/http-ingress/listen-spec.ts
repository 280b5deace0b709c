/** One listening address and the limits of the requests it takes, as every worker applies them. */
export interface ListenSpec {
  readonly host: string;
  readonly port: number;
  readonly maxBodyBytes: number;
  /** Request line and headers together; larger gets 431. */
  readonly maxHeaderBytes: number;
  /** A client must send its whole head within this (slow-header attacks). */
  readonly headersTimeoutMs: number;
  /** ... and its whole request within this. */
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
}
