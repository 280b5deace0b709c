import { BadgerError, type ErrorFamily } from '../../host/index.ts';

/** What goes wrong between a link and its display. */
export type OledErrorCode = ErrorFamily<'OLED'>;

export class OledError extends BadgerError<OledErrorCode> {
  override name = 'OledError';
}
