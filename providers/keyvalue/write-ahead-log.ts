import { crc32 } from 'node:zlib';

/**
 * The file store's record format, shared by its log and its snapshot:
 *   u32 length | u32 crc32(payload) | payload = u8 op | u32 key length | key (UTF-8) | value
 * A crash can only tear the last record; a record whose length or checksum does not hold marks
 * where the good part ends.
 */

export type LogRecord = { readonly op: 'set'; readonly key: string; readonly value: Uint8Array } | { readonly op: 'delete'; readonly key: string };

const HEADER = 8;
const SET = 1;
const DELETE = 2;

export function encodeRecord(record: LogRecord): Buffer {
  const key = Buffer.from(record.key, 'utf8');
  const value = record.op === 'set' ? record.value : new Uint8Array(0);
  const payload = Buffer.allocUnsafe(1 + 4 + key.length + value.length);
  payload.writeUInt8(record.op === 'set' ? SET : DELETE, 0);
  payload.writeUInt32LE(key.length, 1);
  key.copy(payload, 5);
  payload.set(value, 5 + key.length);
  const header = Buffer.allocUnsafe(HEADER);
  header.writeUInt32LE(payload.length, 0);
  header.writeUInt32LE(crc32(payload), 4);
  return Buffer.concat([header, payload]);
}

/** Every whole record in `bytes`, and the offset where the whole ones end. */
export function decodeRecords(bytes: Buffer): { records: LogRecord[]; validLength: number } {
  const records: LogRecord[] = [];
  let offset = 0;
  while (offset + HEADER <= bytes.length) {
    const length = bytes.readUInt32LE(offset);
    const end = offset + HEADER + length;
    if (length < 5 || end > bytes.length) break;
    const payload = bytes.subarray(offset + HEADER, end);
    if (crc32(payload) !== bytes.readUInt32LE(offset + 4)) break;
    const op = payload.readUInt8(0);
    const keyLength = payload.readUInt32LE(1);
    if (5 + keyLength > payload.length || (op !== SET && op !== DELETE)) break;
    const key = payload.subarray(5, 5 + keyLength).toString('utf8');
    records.push(op === SET ? { op: 'set', key, value: new Uint8Array(payload.subarray(5 + keyLength)) } : { op: 'delete', key });
    offset = end;
  }
  return { records, validLength: offset };
}

/** Applies records in order to a map: the state they describe. */
export function replay(records: readonly LogRecord[], into: Map<string, Uint8Array> = new Map()): Map<string, Uint8Array> {
  for (const record of records) {
    if (record.op === 'set') into.set(record.key, record.value);
    else into.delete(record.key);
  }
  return into;
}
