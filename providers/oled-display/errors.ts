/** Stable codes for what can go wrong between a link and its display. */
export type OledErrorCode = 'OLED_BAD_LINK_CONFIG' | 'OLED_DEVICE';

export class OledError extends Error {
  readonly code: OledErrorCode;

  constructor(code: OledErrorCode, message: string) {
    super(message);
    this.name = 'OledError';
    this.code = code;
  }
}
