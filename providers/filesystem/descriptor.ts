import type { ProviderDescriptor } from '../../host/index.ts';
import { contract } from './contract.ts';
import { filesystemProvider } from './filesystem-provider.ts';

export const filesystemDescriptor: ProviderDescriptor = {
  name: 'filesystem',
  summary: 'gives an actor a host directory as its wasi:filesystem preopen, read-only unless the link says rw',
  contracts: [contract],
  linkConfig: [
    { key: 'path', meaning: 'the host directory (absolute); required' },
    { key: 'mode', meaning: 'ro or rw', default: 'ro' },
    { key: 'guest_path', meaning: 'the name the actor sees it by', default: '/' },
  ],
  onlyBesideItsActors: 'it gives an actor a directory of the machine the actor runs on: start it on that host, with badger start provider filesystem',
  create: (context) => filesystemProvider(context.id ? { id: context.id } : {}),
};
