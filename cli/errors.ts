import { BadgerError, type ErrorFamily } from '../host/errors.ts';

/** What goes wrong with a command line. */
export type CliErrorCode = ErrorFamily<'CLI'>;

export class CliError extends BadgerError<CliErrorCode> {
  override name = 'CliError';
}
