// blob-tool: wasi:blobstore's common operations as exported functions.
import { createContainer, getContainer } from 'wasi:blobstore/blobstore@0.2.0-draft';
import type { Container } from 'wasi:blobstore/container@0.2.0-draft';
import { IncomingValue, OutgoingValue } from 'wasi:blobstore/types@0.2.0-draft';

// wasi:io's blocking-write-and-flush takes at most 4 KiB a call.
const WRITE_CHUNK = 4096;

/** Thrown as it came (the store's error is a string), so the export returns `err`. */
function attempt<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    const payload = (error as { payload?: unknown }).payload;
    throw typeof payload === 'string' ? payload : String(error);
  }
}

// One crossing when the container is there (the usual case), rather than asking first.
function opened(name: string): Container {
  try {
    return getContainer(name);
  } catch {
    return createContainer(name);
  }
}

// Past the end is read as up to the end: the whole object, without asking its size first.
const TO_THE_END = 0xffff_ffff_ffff_ffffn;

export const tool = {
  write: (container: string, name: string, data: Uint8Array) =>
    attempt(() => {
      const value = OutgoingValue.newOutgoingValue();
      const body = value.outgoingValueWriteBody();
      for (let at = 0; at < data.length; at += WRITE_CHUNK) body.blockingWriteAndFlush(data.subarray(at, at + WRITE_CHUNK));
      opened(container).writeData(name, value);
      OutgoingValue.finish(value);
    }),
  read: (container: string, name: string) =>
    attempt(() => {
      return IncomingValue.incomingValueConsumeSync(getContainer(container).getData(name, 0n, TO_THE_END));
    }),
  names: (container: string) =>
    attempt(() => {
      const stream = getContainer(container).listObjects();
      const names: string[] = [];
      for (;;) {
        const [page, ended] = stream.readStreamObjectNames(1000n);
        names.push(...page);
        if (ended) return names;
      }
    }),
  delete: (container: string, name: string) => attempt(() => getContainer(container).deleteObject(name)),
};
