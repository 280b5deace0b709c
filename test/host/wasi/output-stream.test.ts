import { describe, expect, it } from 'vitest';
import { OutputStream, type ByteSink } from '../../../host/guest-side.ts';

describe('an output stream whose sink fails', () => {
  it('reports the failure from the blocking write that met it, not only from the next call', () => {
    let written = 0;
    let failure: string | undefined;
    const sink: ByteSink = {
      write(chunk) {
        if (written + chunk.length > 8) failure = 'ENOSPC: no space left on device';
        else written += chunk.length;
      },
      capacity: () => 4096,
      whenWritable: () => Promise.resolve(),
      failure: () => failure,
    };
    const stream = new OutputStream(sink);
    stream.blockingWriteAndFlush(new Uint8Array(8));
    let thrown: unknown;
    try {
      stream.blockingWriteAndFlush(new Uint8Array(1));
    } catch (error) {
      thrown = error;
    }
    const payload = (thrown as { payload: { tag: string; val: { toDebugString(): string } } }).payload;
    expect(payload.tag).toBe('last-operation-failed');
    expect(payload.val.toDebugString()).toBe('ENOSPC: no space left on device');
  });
});
