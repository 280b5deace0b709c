import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLatticeBuckets } from '../../../host/lattice/index.ts';
import { fileBackend, memoryBackend, natsBackend, StoreLockedError, type Backend } from '../../../providers/keyvalue/index.ts';
import { decodeRecords, encodeRecord } from '../../../providers/keyvalue/write-ahead-log.ts';
import { startNatsServer, type RunningNats } from '../../fixtures/nats-server.ts';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (value: Uint8Array | undefined) => (value === undefined ? undefined : new TextDecoder().decode(value));

let nats: RunningNats;
beforeAll(async () => {
  nats = await startNatsServer();
});
afterAll(() => nats.stop());

const backends: [string, () => Promise<Backend>][] = [
  ['memory', async () => memoryBackend()],
  ['file', async () => fileBackend(await mkdtemp(join(tmpdir(), 'badger-kv-file-')))],
  ['nats', async () => natsBackend(await openLatticeBuckets(nats.url))],
];

describe.each(backends)('the %s backend', (_name, make) => {
  it('gets, sets, deletes, checks and lists keys, including awkward ones', async () => {
    const backend = await make();
    const bucket = await backend.bucket(`b${Date.now()}`);
    const awkward = ['../../etc/passwd', 'a/b', 'nul\u0000byte', 'ünïcødé ✓', '.', 'x'.repeat(200)];
    for (const [i, key] of awkward.entries()) await bucket.set(key, bytes(`v${i}`));
    for (const [i, key] of awkward.entries()) expect(text(await bucket.get(key))).toBe(`v${i}`);
    expect(await bucket.exists('a/b')).toBe(true);
    await bucket.delete('a/b');
    expect(await bucket.exists('a/b')).toBe(false);
    expect(await bucket.get('a/b')).toBeUndefined();
    const all = await bucket.listKeys(0, 1000);
    expect(all.keys).toEqual(awkward.filter((key) => key !== 'a/b').sort());
    const page = await bucket.listKeys(0, 2);
    expect(page).toEqual({ keys: all.keys.slice(0, 2), next: 2 });
    await backend.close();
  });

  it('increments atomically under concurrency', async () => {
    const backend = await make();
    const bucket = await backend.bucket(`c${Date.now()}`);
    await Promise.all(Array.from({ length: 200 }, () => bucket.increment('n', 1n)));
    expect(await bucket.increment('n', 0n)).toBe(200n);
    await bucket.set('word', bytes('hello'));
    await expect(bucket.increment('word', 1n)).rejects.toThrow(/not a number/);
    await backend.close();
  });
});

describe('the file backend', () => {
  it('keeps every write across a reopen, and compacts its log into a snapshot', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'badger-kv-compact-'));
    const first = await fileBackend(dir, { compactAfterBytes: 512 });
    const bucket = await first.bucket('notes');
    for (let i = 0; i < 100; i++) await bucket.set(`k${i % 10}`, bytes(`value ${i}`));
    await bucket.delete('k3');
    await first.close();
    expect((await readFile(join(dir, 'notes.snapshot'))).length).toBeGreaterThan(0);
    const again = await (await fileBackend(dir)).bucket('notes');
    expect(text(await again.get('k9'))).toBe('value 99');
    expect(await again.exists('k3')).toBe(false);
  });

  it('answers a read only once the writes before it are on disk', async () => {
    const bucket = await (await fileBackend(await mkdtemp(join(tmpdir(), 'badger-kv-read-')))).bucket('r');
    const order: string[] = [];
    const write = bucket.set('k', bytes('v')).then(() => order.push('write acknowledged'));
    const read = bucket.get('k').then((value) => order.push(`read ${text(value)}`));
    await Promise.all([write, read]);
    expect(order).toEqual(['write acknowledged', 'read v']);
  });

  it('refuses a second opener of the same directory with a clear error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'badger-kv-lock-'));
    const owner = await fileBackend(dir);
    await expect(fileBackend(dir)).rejects.toThrow(StoreLockedError);
    await expect(fileBackend(dir)).rejects.toThrow(/in use by process \d+@/);
    await owner.close();
    await (await fileBackend(dir)).close();
  });

  it('cuts a torn last record on reopen, keeping everything before it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'badger-kv-torn-'));
    const whole = encodeRecord({ op: 'set', key: 'kept', value: bytes('yes') });
    const torn = encodeRecord({ op: 'set', key: 'torn', value: bytes('half') }).subarray(0, 12);
    await writeFile(join(dir, 'b.log'), Buffer.concat([whole, torn]));
    const bucket = await (await fileBackend(dir)).bucket('b');
    expect(text(await bucket.get('kept'))).toBe('yes');
    expect(await bucket.exists('torn')).toBe(false);
    expect((await readFile(join(dir, 'b.log'))).length).toBe(whole.length);
  });
});

describe('the write-ahead log format', () => {
  it('stops at a record whose checksum fails', () => {
    const a = encodeRecord({ op: 'set', key: 'a', value: bytes('1') });
    const b = encodeRecord({ op: 'delete', key: 'a' });
    const corrupt = Buffer.from(b);
    corrupt[corrupt.length - 1] = corrupt[corrupt.length - 1]! ^ 0xff;
    expect(decodeRecords(Buffer.concat([a, b])).records).toHaveLength(2);
    expect(decodeRecords(Buffer.concat([a, corrupt]))).toEqual({ records: [{ op: 'set', key: 'a', value: bytes('1') }], validLength: a.length });
  });
});
