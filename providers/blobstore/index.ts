export type { BlobBackend, BlobContainer, ObjectInfo } from './backend.ts';
export { BlobError, type BlobErrorCode } from './errors.ts';
export { fileBlobBackend, type FileBackendOptions } from './file-backend.ts';
export { fileNameOf, nameOfFile } from './object-names.ts';
