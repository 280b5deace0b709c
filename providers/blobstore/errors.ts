import { BadgerError, type ErrorFamily } from '../../host/index.ts';

export type BlobErrorCode = ErrorFamily<'BLOB'>;

/** What goes wrong in a blob store, below the WIT interface; the provider answers with the WIT error (a string). */
export class BlobError extends BadgerError<BlobErrorCode> {
  override name = 'BlobError';
}
