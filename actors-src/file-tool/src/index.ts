// file-tool: wasi:filesystem's common operations as exported functions.
import { getDirectories } from 'wasi:filesystem/preopens@0.2.0';
import type { Descriptor } from 'wasi:filesystem/types@0.2.0';

// wasi:io's blocking-write-and-flush takes at most 4 KiB a call.
const WRITE_CHUNK = 4096;
const READ_CHUNK = 65536n;

/** Thrown as the error-code's text, so the export returns `err`. */
function attempt<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    const payload = (error as { payload?: unknown }).payload;
    throw typeof payload === 'string' ? payload : String(error);
  }
}

function root(): Descriptor {
  const first = getDirectories()[0];
  if (!first) throw 'no-preopen';
  return first[0];
}

export const tool = {
  preopen: () => getDirectories()[0]?.[1],
  read: (path: string) =>
    attempt(() => {
      const file = root().openAt({ symlinkFollow: true }, path, {}, { read: true });
      const stream = file.readViaStream(0n);
      const chunks: Uint8Array[] = [];
      for (;;) {
        try {
          chunks.push(stream.blockingRead(READ_CHUNK));
        } catch (error) {
          if ((error as { payload?: { tag?: string } }).payload?.tag === 'closed') break;
          throw error;
        }
      }
      const bytes = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.length, 0));
      let at = 0;
      for (const chunk of chunks) {
        bytes.set(chunk, at);
        at += chunk.length;
      }
      return bytes;
    }),
  write: (path: string, data: Uint8Array) =>
    attempt(() => {
      const file = root().openAt({ symlinkFollow: true }, path, { create: true, truncate: true }, { write: true });
      const stream = file.writeViaStream(0n);
      for (let at = 0; at < data.length; at += WRITE_CHUNK) stream.blockingWriteAndFlush(data.subarray(at, at + WRITE_CHUNK));
    }),
  names: (path: string) =>
    attempt(() => {
      const directory = path === '' || path === '.' ? root() : root().openAt({ symlinkFollow: true }, path, { directory: true }, { read: true });
      const entries = directory.readDirectory();
      const names: string[] = [];
      for (let entry = entries.readDirectoryEntry(); entry; entry = entries.readDirectoryEntry()) names.push(entry.name);
      return names.sort();
    }),
  remove: (path: string) => attempt(() => root().unlinkFileAt(path)),
};
