import { BadgerError, type ErrorFamily } from '../host/errors.ts';

/** What goes wrong with an application. */
export type AppErrorCode = ErrorFamily<'APP'>;

export class AppError extends BadgerError<AppErrorCode> {
  override name = 'AppError';
}
