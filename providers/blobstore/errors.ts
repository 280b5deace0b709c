// From the host: what an actor's thread may load (this module runs there too).
import { BadgerError } from '../../host/guest-side.ts';
import type { ErrorFamily } from '../../host/index.ts';

export type BlobErrorCode = ErrorFamily<'BLOB'>;

/** What goes wrong in a blob store, below the WIT interface; the provider answers with the WIT error (a string). */
export class BlobError extends BadgerError<BlobErrorCode> {
  override name = 'BlobError';
}

/**
 * The guest's error string for a failure in the store (pure), naming the container and object as
 * the actor does: the store's own names (`<actor id>-notes`) were never the actor's choice.
 */
export function blobErrorText(error: unknown, container: string, object: string | undefined): string {
  if (!(error instanceof BlobError)) return `blob store failed on container "${container}": ${(error as Error)?.message ?? String(error)}`;
  switch (error.code) {
    case 'BLOB_NO_SUCH_CONTAINER': return `container "${container}" does not exist`;
    case 'BLOB_CONTAINER_EXISTS': return `container "${container}" already exists`;
    case 'BLOB_NO_SUCH_OBJECT': return `object "${object}" does not exist in container "${container}"`;
    default: return error.message;
  }
}

/** An object over its link's size limit. */
export function tooLarge(object: string, size: number, maxObjectBytes: number): BlobError {
  return new BlobError('BLOB_TOO_LARGE', `object "${object}" is ${size} bytes, over the link's limit of ${maxObjectBytes} (max-object-bytes)`);
}
