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

/** Splits a byte stream into lines and hands each complete one on. */
export function lineReader(onLine: (line: string) => void): (chunk: Buffer) => void {
  let buffered = '';
  return (chunk) => {
    buffered += chunk.toString('utf8');
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (line.trim() !== '') onLine(line);
      newline = buffered.indexOf('\n');
    }
  };
}
