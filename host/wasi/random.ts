/** Host side of wasi:random 0.2, from the operating system's generator (the insecure kinds too: they cost no more). */
import { randomBytes } from 'node:crypto';

export function randomImports(): Record<string, Record<string, unknown>> {
  const bytes = (length: bigint) => new Uint8Array(randomBytes(Number(length)));
  const u64 = () => randomBytes(8).readBigUInt64LE();
  return {
    'wasi:random/random': { getRandomBytes: bytes, getRandomU64: u64 },
    'wasi:random/insecure': { getInsecureRandomBytes: bytes, getInsecureRandomU64: u64 },
    'wasi:random/insecure-seed': { insecureSeed: () => [u64(), u64()] },
  };
}
