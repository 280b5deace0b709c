/** Stable codes: callers switch on these, never on message text. */
export type CliErrorCode = 'CLI_BAD_ARGUMENT' | 'CLI_FILE_UNREADABLE' | 'CLI_FILE_UNWRITABLE';

export class CliError extends Error {
  readonly code: CliErrorCode;

  constructor(code: CliErrorCode, message: string) {
    super(message);
    this.name = 'CliError';
    this.code = code;
  }
}
