import { BadgerError, type ErrorFamily } from '../host/errors.ts';

/** What goes wrong building an actor. */
export type BuildErrorCode = ErrorFamily<'BUILD'>;

export class BuildError extends BadgerError<BuildErrorCode> {
  override name = 'BuildError';
}
