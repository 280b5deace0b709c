/**
 * JSON for the control wire: u64 values arrive as BigInt and byte lists as Uint8Array, which JSON
 * cannot carry; they travel as numbers (or strings past 2^53) and as `{ "base64": … }`.
 */
export function encodeControlJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item === 'bigint') return item <= BigInt(Number.MAX_SAFE_INTEGER) && item >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(item) : item.toString();
    if (item instanceof Uint8Array) return { base64: Buffer.from(item).toString('base64') };
    return item;
  });
}

/** The longest control line taken by default: a request is small; a megabyte is a mistake or an attack. */
export const MAX_CONTROL_LINE_BYTES = 1024 * 1024;

/**
 * Splits a byte stream into lines and hands each complete one on. A line that grows past
 * `maxBytes` before its newline is not kept: `onTooLong` hears of it once and the reader takes
 * nothing more, so the connection can be answered and closed with at most `maxBytes` held.
 */
export function lineReader(onLine: (line: string) => void, limits: { maxBytes?: number; onTooLong?: () => void } = {}): (chunk: Buffer) => void {
  const maxBytes = limits.maxBytes ?? MAX_CONTROL_LINE_BYTES;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let overflowed = false;
  return (chunk) => {
    if (overflowed) return;
    let start = 0;
    let newline = chunk.indexOf(0x0a);
    while (newline >= 0) {
      const line = Buffer.concat([...pending, chunk.subarray(start, newline)]).toString('utf8');
      pending = [];
      pendingBytes = 0;
      if (line.trim() !== '') onLine(line);
      start = newline + 1;
      newline = chunk.indexOf(0x0a, start);
    }
    const rest = chunk.subarray(start);
    if (pendingBytes + rest.length > maxBytes) {
      overflowed = true;
      pending = [];
      return limits.onTooLong?.();
    }
    if (rest.length > 0) {
      // A copy: the socket's chunk may be a slice of a larger buffer that would stay alive.
      pending.push(Buffer.from(rest));
      pendingBytes += rest.length;
    }
  };
}
