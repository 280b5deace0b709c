/** Stable codes for what goes wrong on a lattice. */
export type LatticeErrorCode = 'LATTICE_UNAVAILABLE' | 'LATTICE_NO_HOST' | 'LATTICE_NOT_FOUND' | 'LATTICE_BAD_NAME' | 'LATTICE_NATS_SERVER' | 'LATTICE_UNTRUSTED';

export class LatticeError extends Error {
  readonly code: LatticeErrorCode;

  constructor(message: string, code: LatticeErrorCode = 'LATTICE_UNAVAILABLE') {
    super(message);
    this.name = 'LatticeError';
    this.code = code;
  }
}
