/** Host side of wasi:random 0.2, from the operating system's generator. */
import { randomBytes } from 'node:crypto';

export function randomImports(): Record<string, Record<string, unknown>> {
  return {
    'wasi:random/random': {
      getRandomBytes: (length: bigint) => new Uint8Array(randomBytes(Number(length))),
      getRandomU64: () => randomBytes(8).readBigUInt64LE(),
    },
  };
}
