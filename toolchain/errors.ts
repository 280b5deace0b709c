/** Stable codes: callers switch on these, never on message text. */
export type BuildErrorCode =
  | 'BUILD_CONFIG_MISSING'
  | 'BUILD_CONFIG_MALFORMED'
  | 'BUILD_SOURCE_MISSING'
  | 'BUILD_SOURCE_INVALID'
  | 'BUILD_WIT_INVALID'
  | 'BUILD_WORLD_MISMATCH'
  | 'BUILD_FAILED';

export class BuildError extends Error {
  readonly code: BuildErrorCode;

  constructor(code: BuildErrorCode, message: string) {
    super(message);
    this.name = 'BuildError';
    this.code = code;
  }
}
