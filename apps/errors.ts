/** Stable codes for what goes wrong with an application. */
export type AppErrorCode = 'APP_INVALID' | 'APP_NOT_FOUND' | 'APP_STORE_UNAVAILABLE';

export class AppError extends Error {
  readonly code: AppErrorCode;

  constructor(code: AppErrorCode, message: string) {
    super(message);
    this.name = 'AppError';
    this.code = code;
  }
}
