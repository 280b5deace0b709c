import type { ProviderDescriptor } from '../../host/index.ts';
import { contract } from './contract.ts';
import { keyValueProvider } from './keyvalue-provider.ts';
import { DEFAULT_MAX_KEY_BYTES, DEFAULT_MAX_VALUE_BYTES } from './link-config.ts';

export const keyValueDescriptor: ProviderDescriptor = {
  name: 'keyvalue',
  summary: 'wasi:keyvalue buckets in memory, in files, or in the lattice\'s JetStream',
  contracts: [contract],
  linkConfig: [
    { key: 'backend', meaning: 'memory, file or nats', default: 'memory' },
    { key: 'path', meaning: 'the directory of a file store', default: '~/.badger/keyvalue' },
    { key: 'url', meaning: 'the NATS servers of the lattice, for nats (several with commas)', default: 'nats://127.0.0.1:4222' },
    { key: 'replicas', meaning: 'for nats: the copies a new bucket is kept in, 1 to 5 (a cluster\'s servers); an existing bucket with another count is refused', default: '1' },
    { key: 'bucket', meaning: 'the bucket the actor opens as "default"', default: '<actor id>-default' },
    { key: 'bucket.<identifier>', meaning: 'the bucket the actor opens as <identifier>; only named buckets can be opened' },
    { key: 'max-key-bytes', meaning: 'the longest key', default: String(DEFAULT_MAX_KEY_BYTES) },
    { key: 'max-value-bytes', meaning: 'the largest value', default: String(DEFAULT_MAX_VALUE_BYTES) },
  ],
  create: (context) =>
    keyValueProvider({
      ...(context.id ? { id: context.id } : {}),
      fileRoot: context.dataDir,
      ...(context.latticeBuckets ? { latticeBuckets: context.latticeBuckets } : {}),
    }),
};
