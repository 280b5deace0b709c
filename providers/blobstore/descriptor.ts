import type { ProviderDescriptor } from '../../host/index.ts';
import { blobstoreProvider } from './blobstore-provider.ts';
import { contract } from './contract.ts';
import { DEFAULT_MAX_OBJECT_BYTES } from './link-config.ts';
import { natsBlobBackend } from './nats-backend.ts';

export const blobstoreDescriptor: ProviderDescriptor = {
  name: 'blobstore',
  summary: "wasi:blobstore containers in a directory, or in the lattice's JetStream object stores",
  contracts: [contract],
  linkConfig: [
    { key: 'backend', meaning: 'file or nats', default: 'file' },
    { key: 'path', meaning: 'the directory of a file store', default: "the provider's data directory" },
    { key: 'url', meaning: 'a NATS server of the lattice, for nats', default: 'nats://127.0.0.1:4222' },
    { key: 'container.<name>', meaning: 'the store\'s container the actor calls <name>; any other name is the actor\'s own, <actor id>-<name>' },
    { key: 'max-object-bytes', meaning: 'the largest object', default: String(DEFAULT_MAX_OBJECT_BYTES) },
  ],
  create: (context) => {
    const opener = context.latticeObjectStores;
    return blobstoreProvider({
      ...(context.id ? { id: context.id } : {}),
      fileRoot: context.dataDir,
      ...(opener ? { openNats: async (url: string) => natsBlobBackend(await opener(url)) } : {}),
    });
  },
};
