import { BadgerError, type ErrorFamily } from '../../host/index.ts';

export type FilesystemErrorCode = ErrorFamily<'FILESYSTEM'>;

/** A filesystem link the provider cannot serve; the guest's own errors are wasi:filesystem error-codes. */
export class FilesystemError extends BadgerError<FilesystemErrorCode> {
  override name = 'FilesystemError';
}
