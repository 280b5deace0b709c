import { BadgerError, type ErrorFamily } from '../../host/index.ts';

export type MessagingErrorCode = ErrorFamily<'MESSAGING'>;

/** A messaging link the provider cannot serve; the guest's own errors are wasmcloud:messaging's strings. */
export class MessagingError extends BadgerError<MessagingErrorCode> {
  override name = 'MessagingError';
}
