export type { BlobBackend, BlobContainer, ObjectInfo } from './backend.ts';
export { blobstoreProvider, type BlobBackendOpener, type BlobstoreProviderOptions } from './blobstore-provider.ts';
export { contract as blobstoreContract, type BlobstoreHandler, type ContainerMetadata, type ObjectId } from './contract.ts';
export { blobstoreDescriptor } from './descriptor.ts';
export { BlobError, type BlobErrorCode } from './errors.ts';
export { fileBlobBackend, type FileBackendOptions } from './file-backend.ts';
export { DEFAULT_MAX_OBJECT_BYTES, parseBlobLinkConfig, storeContainerName, type BlobBackendKind, type BlobLinkConfig } from './link-config.ts';
export { natsBlobBackend } from './nats-backend.ts';
export { bucketNameOf, fileNameOf, nameOfFile } from './object-names.ts';
