export { joinConfined, resolveConfined, ResolveError, type Entry, type LinkReader, type ResolveFailure } from './confined-paths.ts';
export { contract as filesystemContract, type FilesystemHandler } from './contract.ts';
export { filesystemDescriptor } from './descriptor.ts';
export { filesystemErrorOf } from './error-codes.ts';
export { FilesystemError, type FilesystemErrorCode } from './errors.ts';
export { filesystemProvider } from './filesystem-provider.ts';
export { parseFilesystemLinkConfig, type FilesystemLinkConfig, type FilesystemMode } from './link-config.ts';
