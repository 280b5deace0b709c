export { contract as messagingContract, messagingArgumentsProblem, type BrokerMessage, type MessagingHandler } from './contract.ts';
export { messagingDescriptor } from './descriptor.ts';
export { MessagingError, type MessagingErrorCode } from './errors.ts';
export { parseMessagingLinkConfig, type MessagingLinkConfig } from './link-config.ts';
export { HANDLER as MESSAGING_HANDLER, messagingProvider, type MessagingProviderOptions } from './messaging-provider.ts';
export { subjectProblem } from './subjects.ts';
