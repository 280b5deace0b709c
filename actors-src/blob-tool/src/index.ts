// blob-tool: wasi:blobstore's common operations as exported functions.
import { containerExists, createContainer, getContainer } from 'wasi:blobstore/blobstore@0.2.0-draft';
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

const opened = (name: string) => (containerExists(name) ? getContainer(name) : createContainer(name));

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
      const store = getContainer(container);
      const size = store.objectInfo(name).size;
      return size === 0n ? new Uint8Array() : IncomingValue.incomingValueConsumeSync(store.getData(name, 0n, size - 1n));
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
