import type { ProviderDescriptor } from '../../host/index.ts';
import { contract } from './contract.ts';
import { HANDLER, messagingProvider } from './messaging-provider.ts';

export const messagingDescriptor: ProviderDescriptor = {
  name: 'messaging',
  summary: "NATS subjects for actors: a link subscribes the actor's handler (a queue group per actor), and its imports publish and request",
  contracts: [contract],
  drives: [{ name: HANDLER, versions: '0.2.0' }],
  linkConfig: [
    { key: 'subscriptions', meaning: "NATS subject patterns the actor's handler gets, comma-separated (orders.>,audit.*); on the handler's link" },
    { key: 'url', meaning: 'a NATS server other than the lattice\'s', default: "the lattice's servers" },
  ],
  create: (context) =>
    messagingProvider({
      ...(context.id ? { id: context.id } : {}),
      ...(context.latticeMessaging ? { connect: context.latticeMessaging } : {}),
      publish: context.publish,
    }),
};
