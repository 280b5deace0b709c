import { describe, expect, it } from 'vitest';
import { WitError, type Link } from '../../../host/index.ts';
import { keyValueContract, keyValueProvider } from '../../../providers/keyvalue/index.ts';

const link: Link = { source: 'MACTOR', interface: 'wasi:keyvalue/store', name: 'default', target: 'keyvalue', config: { bucket: 'notes' } };
const bytes = (text: string) => new TextEncoder().encode(text);

function dispatcher() {
  const provider = keyValueProvider();
  return (iface: string, operation: string, ...args: unknown[]) => keyValueContract.dispatch(provider.keyvalue!, `wasi:keyvalue/${iface}`, operation, args, link);
}

describe('wasi:keyvalue through the contract, as a guest reaches it', () => {
  it('serves batch operations with the WIT shapes', async () => {
    const call = dispatcher();
    await call('batch', 'set-many', 'default', [['a', bytes('1')], ['b', bytes('2')]]);
    expect(await call('batch', 'get-many', 'default', ['a', 'missing', 'b'])).toEqual([['a', bytes('1')], undefined, ['b', bytes('2')]]);
    await call('batch', 'delete-many', 'default', ['a']);
    expect(await call('store', 'exists', 'default', 'a')).toBe(false);
    expect(await call('store', 'exists', 'default', 'b')).toBe(true);
  });

  it('pages list-keys with a cursor until it runs out', async () => {
    const call = dispatcher();
    for (let i = 0; i < 250; i++) await call('store', 'set', 'default', `key-${String(i).padStart(3, '0')}`, bytes('x'));
    const seen: string[] = [];
    let cursor: bigint | undefined;
    let pages = 0;
    do {
      const page = (await call('store', 'list-keys', 'default', cursor)) as { keys: string[]; cursor?: bigint };
      seen.push(...page.keys);
      cursor = page.cursor;
      pages++;
    } while (cursor !== undefined);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(250);
    expect(new Set(seen).size).toBe(250);
  });

  it('increments from zero, and refuses to increment a value that is not a number', async () => {
    const call = dispatcher();
    expect(await call('atomics', 'increment', 'default', 'n', 5n)).toBe(5n);
    expect(await call('atomics', 'increment', 'default', 'n', 1n)).toBe(6n);
    await call('store', 'set', 'default', 'word', bytes('hello'));
    await expect(call('atomics', 'increment', 'default', 'word', 1n)).rejects.toEqual(new WitError({ tag: 'other', val: 'word holds "hello", not a number' }));
  });

  it('answers an identifier the link does not name with no-such-store', async () => {
    await expect(dispatcher()('store', 'open', 'elsewhere')).rejects.toMatchObject({ value: { tag: 'no-such-store' } });
  });
});
