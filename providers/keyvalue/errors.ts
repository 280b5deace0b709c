import { BadgerError, type ErrorFamily } from '../../host/index.ts';

export type StoreErrorCode = ErrorFamily<'KV'>;

/** What goes wrong in a store, below the WIT interface; the provider answers with the WIT error. */
export class StoreError extends BadgerError<StoreErrorCode> {
  override name = 'StoreError';
}

/** Another process holds the file store. */
export class StoreLockedError extends StoreError {
  override name = 'StoreLockedError';

  constructor(message: string, options?: ErrorOptions) {
    super('KV_STORE_LOCKED', message, options);
  }
}
