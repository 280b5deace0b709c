export type { Backend, Bucket } from './backend.ts';
export { contract as keyValueContract, type KeyValueError, type KeyValueHandler } from './contract.ts';
export { keyValueDescriptor } from './descriptor.ts';
export { fileBackend } from './file-backend.ts';
export { StoreError, StoreLockedError, type StoreErrorCode } from './errors.ts';
export { keyValueProvider, type KeyValueProviderOptions } from './keyvalue-provider.ts';
export { parseStoreLinkConfig, type BackendKind, type StoreLinkConfig } from './link-config.ts';
export { memoryBackend } from './memory-backend.ts';
export { natsBackend } from './nats-backend.ts';
