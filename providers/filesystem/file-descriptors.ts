// wasi:filesystem's descriptors over one host directory, in the actor's own thread. Every path is
// resolved by confined-paths.ts before Node sees it; what Node then opens is checked once more by
// where the opened file really is, so a directory swapped for a symlink between the two (by
// another process) is caught too.
import { closeSync, constants, fdatasyncSync, fstatSync, fsyncSync, ftruncateSync, futimesSync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, readlinkSync, readSync, realpathSync, renameSync, rmdirSync, statSync, unlinkSync, utimesSync, writeSync, type BigIntStats, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { InputStream, OutputStream, type ByteSink, type ByteSource } from '../../host/guest-side.ts';
import { resolveConfined, ResolveError, type Entry } from './confined-paths.ts';
import { filesystemErrorOf } from './error-codes.ts';

export interface DescriptorFlags {
  readonly read?: boolean;
  readonly write?: boolean;
  readonly fileIntegritySync?: boolean;
  readonly dataIntegritySync?: boolean;
  readonly requestedWriteSync?: boolean;
  readonly mutateDirectory?: boolean;
}
interface PathFlags {
  readonly symlinkFollow?: boolean;
}
interface OpenFlags {
  readonly create?: boolean;
  readonly directory?: boolean;
  readonly exclusive?: boolean;
  readonly truncate?: boolean;
}
interface Datetime {
  readonly seconds: bigint;
  readonly nanoseconds: number;
}
type NewTimestamp = { readonly tag: 'no-change' } | { readonly tag: 'now' } | { readonly tag: 'timestamp'; readonly val: Datetime };
type DescriptorType = 'unknown' | 'block-device' | 'character-device' | 'directory' | 'fifo' | 'symbolic-link' | 'regular-file' | 'socket';

/** One preopened directory: where it is on the host (its real path), and whether the link lets the actor write. */
export interface Preopen {
  readonly root: string;
  readonly writable: boolean;
}

/** A file's open descriptor; closed when the guest drops it, after which its streams read and write nothing. */
interface OpenFile {
  readonly fd: number;
  closed: boolean;
}

const NANOS = 1_000_000_000n;
const READ_ONLY = 'read-only';
const IO_CHUNK = 64 * 1024;

/** Runs a filesystem operation, turning every failure into the guest's error-code: a throw of anything else would trap it. */
function guarded<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof ResolveError) throw { payload: error.code };
    if (typeof error === 'object' && error !== null && 'payload' in error) throw error;
    throw { payload: filesystemErrorOf((error as NodeJS.ErrnoException)?.code) };
  }
}

const refuse = (code: string): never => {
  throw { payload: code };
};

function entryAt(root: string, names: readonly string[]): Entry {
  try {
    const stats = lstatSync(join(root, ...names));
    if (stats.isSymbolicLink()) return { kind: 'symlink', target: readlinkSync(join(root, ...names)) };
    return { kind: stats.isDirectory() ? 'directory' : 'other' };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw error;
  }
}

function typeOf(stats: BigIntStats | Dirent): DescriptorType {
  if (stats.isFile()) return 'regular-file';
  if (stats.isDirectory()) return 'directory';
  if (stats.isSymbolicLink()) return 'symbolic-link';
  if (stats.isFIFO()) return 'fifo';
  if (stats.isSocket()) return 'socket';
  if (stats.isCharacterDevice()) return 'character-device';
  if (stats.isBlockDevice()) return 'block-device';
  return 'unknown';
}

const datetime = (nanos: bigint): Datetime => ({ seconds: nanos / NANOS, nanoseconds: Number(nanos % NANOS) });

function statOf(stats: BigIntStats) {
  return {
    type: typeOf(stats),
    linkCount: stats.nlink,
    size: stats.size,
    dataAccessTimestamp: datetime(stats.atimeNs),
    dataModificationTimestamp: datetime(stats.mtimeNs),
    statusChangeTimestamp: datetime(stats.ctimeNs),
  };
}

/** A NewTimestamp as seconds for utimes, `current` (nanoseconds) when it asks for no change. */
function secondsOf(stamp: NewTimestamp, current: bigint): number {
  if (stamp.tag === 'now') return Date.now() / 1000;
  const nanos = stamp.tag === 'timestamp' ? stamp.val.seconds * NANOS + BigInt(stamp.val.nanoseconds) : current;
  return Number(nanos) / 1e9;
}

function openMode(flags: DescriptorFlags): number {
  if (flags.read && flags.write) return constants.O_RDWR;
  return flags.write ? constants.O_WRONLY : constants.O_RDONLY;
}

function fileSource(file: OpenFile, from: bigint): ByteSource {
  let position = from;
  let failure: string | undefined;
  return {
    take(max) {
      if (file.closed) failure ??= 'the file was closed';
      if (failure !== undefined) return undefined;
      const buffer = new Uint8Array(Math.min(max, IO_CHUNK));
      try {
        const read = readSync(file.fd, buffer, 0, buffer.length, position);
        if (read === 0) return undefined;
        position += BigInt(read);
        return buffer.subarray(0, read);
      } catch (error) {
        failure = (error as Error).message;
        return undefined;
      }
    },
    readable: () => true,
    whenReadable: () => Promise.resolve(),
    failure: () => failure,
  };
}

/** Writes at `from`, or at the end of the file as it is at each write when `from` is undefined (append). */
function fileSink(file: OpenFile, from: bigint | undefined): ByteSink {
  let position = from;
  let failure: string | undefined;
  return {
    write(chunk) {
      if (file.closed) failure ??= 'the file was closed';
      if (failure !== undefined) return;
      try {
        const at = position ?? fstatSync(file.fd, { bigint: true }).size;
        for (let done = 0; done < chunk.length; ) done += writeSync(file.fd, chunk, done, chunk.length - done, Number(at) + done);
        if (position !== undefined) position += BigInt(chunk.length);
      } catch (error) {
        failure = (error as Error).message;
      }
    },
    capacity: () => IO_CHUNK,
    whenWritable: () => Promise.resolve(),
    failure: () => failure,
  };
}

export class Descriptor {
  readonly #preopen: Preopen;
  /** Where it is, as names below the preopen's root, with no symlink among them. */
  readonly #names: readonly string[];
  readonly #flags: DescriptorFlags;
  /** Undefined for a directory, which is used by its path. */
  readonly #file: OpenFile | undefined;

  private constructor(preopen: Preopen, names: readonly string[], flags: DescriptorFlags, file: OpenFile | undefined) {
    this.#preopen = preopen;
    this.#names = names;
    this.#flags = flags;
    this.#file = file;
  }

  /** The preopened directory itself. */
  static root(preopen: Preopen): Descriptor {
    return new Descriptor(preopen, [], { read: true, mutateDirectory: preopen.writable }, undefined);
  }

  [Symbol.dispose](): void {
    if (this.#file && !this.#file.closed) {
      this.#file.closed = true;
      closeSync(this.#file.fd);
    }
  }

  readViaStream(offset: bigint): InputStream {
    return guarded(() => new InputStream(fileSource(this.#openFile('read'), offset)));
  }

  writeViaStream(offset: bigint): OutputStream {
    return guarded(() => new OutputStream(fileSink(this.#openFile('write'), offset)));
  }

  appendViaStream(): OutputStream {
    return guarded(() => new OutputStream(fileSink(this.#openFile('write'), undefined)));
  }

  advise(): void {
    guarded(() => this.#openFile());
  }

  syncData(): void {
    guarded(() => (this.#file ? fdatasyncSync(this.#openFile().fd) : this.#syncDirectory()));
  }

  sync(): void {
    guarded(() => (this.#file ? fsyncSync(this.#openFile().fd) : this.#syncDirectory()));
  }

  getFlags(): DescriptorFlags {
    return this.#flags;
  }

  getType(): DescriptorType {
    return guarded(() => (this.#file ? typeOf(fstatSync(this.#openFile().fd, { bigint: true })) : 'directory'));
  }

  setSize(size: bigint): void {
    guarded(() => ftruncateSync(this.#openFile('write').fd, Number(size)));
  }

  setTimes(access: NewTimestamp, modification: NewTimestamp): void {
    guarded(() => {
      if (!this.#file) return this.#setTimesOf(this.#names, access, modification);
      const { fd } = this.#openFile('write');
      const stats = fstatSync(fd, { bigint: true });
      futimesSync(fd, secondsOf(access, stats.atimeNs), secondsOf(modification, stats.mtimeNs));
    });
  }

  read(length: bigint, offset: bigint): [Uint8Array, boolean] {
    return guarded(() => {
      const { fd } = this.#openFile('read');
      const buffer = new Uint8Array(Number(length > BigInt(IO_CHUNK * 16) ? IO_CHUNK * 16 : length));
      const read = readSync(fd, buffer, 0, buffer.length, offset);
      return [buffer.subarray(0, read), read < buffer.length];
    });
  }

  write(buffer: Uint8Array, offset: bigint): bigint {
    return guarded(() => BigInt(writeSync(this.#openFile('write').fd, buffer, 0, buffer.length, Number(offset))));
  }

  readDirectory(): DirectoryEntryStream {
    return guarded(() => new DirectoryEntryStream(readdirSync(this.#directoryPath(), { withFileTypes: true }).map((entry) => ({ type: typeOf(entry), name: entry.name }))));
  }

  createDirectoryAt(path: string): void {
    guarded(() => mkdirSync(this.#hostPath(this.#resolveForChange(path))));
  }

  stat() {
    return guarded(() => statOf(this.#file ? fstatSync(this.#openFile().fd, { bigint: true }) : statSync(this.#directoryPath(), { bigint: true })));
  }

  statAt(pathFlags: PathFlags, path: string) {
    return guarded(() => statOf(lstatSync(this.#hostPath(this.#resolve(path, pathFlags.symlinkFollow === true)), { bigint: true })));
  }

  setTimesAt(pathFlags: PathFlags, path: string, access: NewTimestamp, modification: NewTimestamp): void {
    guarded(() => {
      this.#mayChange();
      this.#setTimesOf(this.#resolve(path, pathFlags.symlinkFollow === true), access, modification);
    });
  }

  linkAt(oldPathFlags: PathFlags, oldPath: string, newDescriptor: Descriptor, newPath: string): void {
    guarded(() => {
      const from = this.#resolve(oldPath, oldPathFlags.symlinkFollow === true);
      const to = newDescriptor.#resolveForChange(newPath, this.#preopen);
      this.#mayChange();
      linkSync(this.#hostPath(from), this.#hostPath(to));
    });
  }

  openAt(pathFlags: PathFlags, path: string, openFlags: OpenFlags, flags: DescriptorFlags): Descriptor {
    return guarded(() => {
      const writes = flags.write === true || flags.mutateDirectory === true || openFlags.create === true || openFlags.truncate === true;
      if (writes && !this.#preopen.writable) refuse(READ_ONLY);
      // A descriptor opened from this one has no more rights than it.
      if (writes && !this.#flags.mutateDirectory) refuse('not-permitted');
      const names = this.#resolve(path, pathFlags.symlinkFollow === true);
      let mode = openMode(flags) | constants.O_NOFOLLOW;
      if (openFlags.create) mode |= constants.O_CREAT;
      if (openFlags.exclusive) mode |= constants.O_EXCL;
      if (openFlags.truncate) mode |= constants.O_TRUNC;
      if (openFlags.directory) mode |= constants.O_DIRECTORY;
      const fd = openSync(this.#hostPath(names), mode, 0o666);
      try {
        this.#insideRoot(fd);
        if (fstatSync(fd).isDirectory()) {
          closeSync(fd);
          return new Descriptor(this.#preopen, names, { read: true, mutateDirectory: flags.mutateDirectory === true }, undefined);
        }
        if (openFlags.directory) refuse('not-directory');
        return new Descriptor(this.#preopen, names, flags, { fd, closed: false });
      } catch (error) {
        closeSync(fd);
        throw error;
      }
    });
  }

  readlinkAt(path: string): string {
    return guarded(() => readlinkSync(this.#hostPath(this.#resolve(path, false)), 'utf8'));
  }

  removeDirectoryAt(path: string): void {
    guarded(() => rmdirSync(this.#hostPath(this.#resolveForChange(path))));
  }

  renameAt(oldPath: string, newDescriptor: Descriptor, newPath: string): void {
    guarded(() => {
      const from = this.#resolveForChange(oldPath);
      const to = newDescriptor.#resolveForChange(newPath, this.#preopen);
      // A relative symlink means something else once moved, and could lead out of the directory.
      if (lstatSync(this.#hostPath(from)).isSymbolicLink()) refuse('not-permitted');
      renameSync(this.#hostPath(from), this.#hostPath(to));
    });
  }

  /**
   * Refused: the guest makes no symlinks, so every symlink in the directory is the operator's, and
   * none can be swapped in by one of the actor's instances while another resolves a path.
   */
  symlinkAt(): void {
    guarded(() => {
      this.#mayChange();
      refuse('not-permitted');
    });
  }

  unlinkFileAt(path: string): void {
    guarded(() => unlinkSync(this.#hostPath(this.#resolveForChange(path))));
  }

  isSameObject(other: Descriptor): boolean {
    try {
      const mine = this.#identity();
      const theirs = other.#identity();
      return mine.dev === theirs.dev && mine.ino === theirs.ino;
    } catch {
      return false;
    }
  }

  metadataHash() {
    return guarded(() => {
      const { dev, ino } = this.#identity();
      return { upper: dev, lower: ino };
    });
  }

  metadataHashAt(pathFlags: PathFlags, path: string) {
    return guarded(() => {
      const { dev, ino } = lstatSync(this.#hostPath(this.#resolve(path, pathFlags.symlinkFollow === true)), { bigint: true });
      return { upper: dev, lower: ino };
    });
  }

  #identity(): BigIntStats {
    return this.#file ? fstatSync(this.#openFile().fd, { bigint: true }) : statSync(this.#directoryPath(), { bigint: true });
  }

  /** This descriptor's open file, which must allow `use`. */
  #openFile(use?: 'read' | 'write'): OpenFile {
    if (!this.#file) return refuse('is-directory');
    if (this.#file.closed) return refuse('bad-descriptor');
    if (use === 'write' && !this.#preopen.writable) return refuse(READ_ONLY);
    if (use && !this.#flags[use]) return refuse('bad-descriptor');
    return this.#file;
  }

  #directoryPath(): string {
    if (this.#file) return refuse('not-directory');
    return this.#hostPath(this.#names);
  }

  #resolve(path: string, followLast: boolean): string[] {
    if (this.#file) return refuse('not-directory');
    return resolveConfined(this.#names, path, followLast, (names) => entryAt(this.#preopen.root, names));
  }

  /** Where a change at `path` happens, when this directory allows changes (and is of `preopen`, for a two-path change). */
  #resolveForChange(path: string, preopen: Preopen = this.#preopen): string[] {
    if (preopen !== this.#preopen) refuse('cross-device');
    this.#mayChange();
    return this.#resolve(path, false);
  }

  #mayChange(): void {
    if (!this.#preopen.writable) refuse(READ_ONLY);
    if (!this.#flags.mutateDirectory) refuse('not-permitted');
  }

  #setTimesOf(names: readonly string[], access: NewTimestamp, modification: NewTimestamp): void {
    this.#mayChange();
    const at = this.#hostPath(names);
    const stats = lstatSync(at, { bigint: true });
    utimesSync(at, secondsOf(access, stats.atimeNs), secondsOf(modification, stats.mtimeNs));
  }

  #syncDirectory(): void {
    const fd = openSync(this.#directoryPath(), constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  #hostPath(names: readonly string[]): string {
    return join(this.#preopen.root, ...names);
  }

  /** Refuses a file that, once open, turns out not to be below the root (a path component swapped for a symlink meanwhile). */
  #insideRoot(fd: number): void {
    const real = realpathSync(`/proc/self/fd/${fd}`);
    const { root } = this.#preopen;
    if (real !== root && !real.startsWith(root.endsWith('/') ? root : `${root}/`)) refuse('not-permitted');
  }
}

export class DirectoryEntryStream {
  readonly #entries: { readonly type: DescriptorType; readonly name: string }[];

  constructor(entries: { readonly type: DescriptorType; readonly name: string }[]) {
    this.#entries = entries;
  }

  readDirectoryEntry(): { readonly type: DescriptorType; readonly name: string } | undefined {
    return this.#entries.shift();
  }
}

/** The preopen a link's directory makes, by its real path; undefined when it is gone. */
export function preopenAt(path: string, writable: boolean): Preopen | undefined {
  try {
    return { root: realpathSync(path), writable };
  } catch {
    return undefined;
  }
}
