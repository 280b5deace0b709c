/**
 * One message at a time in shared memory, between the host and an actor's thread. Posting on a
 * MessagePort costs about 10 µs each way here (a structured clone, a lock, a queue entry, a wake-up
 * of the other side's event loop); writing the few values an invocation or an import carries into
 * memory both threads see costs about 1 µs. A value the slot does not carry (a class instance, a
 * Map, an ill-formed string, a typed array other than bytes, or more than fits) is not written:
 * `write` says so, and the caller posts that one message instead, so nothing is lost or altered.
 *
 * The slot never has two messages in it: the protocol that uses it (see invocation-channel.ts)
 * writes the next one only once the other side has answered the last.
 *
 * Most strings in these messages are short and come back every time (keys, methods, bucket
 * names). The first time a writer sends one it tells the reader to learn it; from then on it sends
 * the string's number in the list both sides keep (reading a request of an HTTP invocation took
 * 750 ns with each string spelt out and looked up by a hash of its bytes). Each side's list grows
 * only with what the other read, so every message says how long the writer's list was when it
 * began; a reader that missed a message refuses the next rather than read the wrong strings.
 */

const HEADER = 4;
/** Each message begins with the length of the writer's list of learnt strings. */
const LEARNT_COUNT = 4;
/** The header's value when the message went by the port. */
const POSTED = -1;
/** Deeper than any WIT value a guest passes; a cycle ends here too, and is posted instead. */
const MAX_DEPTH = 64;
const SHORT_STRING = 32;
/** Short strings the two sides learn; past that many, new ones are spelt out each time. */
const LEARNT_STRINGS = 1024;

const Tag = { Undefined: 0, Null: 1, False: 2, True: 3, Number: 4, BigInt: 5, String: 6, Bytes: 7, Array: 8, Object: 9, Learn: 10, Learnt: 11 } as const;
type Tag = (typeof Tag)[keyof typeof Tag];

/** Thrown inside `write` when the value cannot be carried; never leaves the module. */
const UNCARRIED = Symbol('uncarried');
const MIN_I64 = -(2n ** 63n);
const MAX_I64 = 2n ** 63n - 1n;
const MAX_U64 = 2n ** 64n - 1n;

export class SharedSlot {
  readonly #header: Int32Array;
  readonly #view: DataView;
  readonly #bytes: Buffer;
  readonly #size: number;
  /** Writing: the strings the reader has learnt, by their number. */
  readonly #taught = new Map<string, number>();
  /** Taught by the message being written: forgotten again if it goes by the port instead. */
  readonly #teaching: string[] = [];
  /** Reading: the strings the writer taught, in order. */
  readonly #learnt: string[] = [];
  #at = 0;

  /** `size` bytes of `buffer` from `offset` (a multiple of 4), the header included. */
  constructor(buffer: SharedArrayBuffer, offset: number, size: number) {
    this.#header = new Int32Array(buffer, offset, 1);
    this.#view = new DataView(buffer, offset + HEADER, size - HEADER);
    this.#bytes = Buffer.from(buffer, offset + HEADER, size - HEADER);
    this.#size = size - HEADER;
  }

  /** Writes `value`; false when the slot cannot carry it (then the slot says the message was posted). */
  write(value: unknown): boolean {
    this.#view.setUint32(0, this.#taught.size);
    this.#at = LEARNT_COUNT;
    this.#teaching.length = 0;
    try {
      this.#value(value, 0);
    } catch (error) {
      for (const text of this.#teaching) this.#taught.delete(text);
      if (error !== UNCARRIED) throw error;
      this.#header[0] = POSTED;
      return false;
    }
    this.#header[0] = this.#at;
    return true;
  }

  /** Whether the message waiting is in the slot (read it) or on the port (take it from there). */
  get holdsMessage(): boolean {
    return this.#header[0]! !== POSTED;
  }

  read(): unknown {
    const taught = this.#view.getUint32(0);
    if (taught !== this.#learnt.length) {
      throw new Error(`a shared slot's message assumes ${taught} learnt strings and this side has ${this.#learnt.length}: a message was missed`);
    }
    this.#at = LEARNT_COUNT;
    return this.#read();
  }

  #room(bytes: number): void {
    if (this.#at + bytes > this.#size) throw UNCARRIED;
  }

  #tag(tag: Tag): void {
    this.#room(1);
    this.#view.setUint8(this.#at++, tag);
  }

  #length(length: number): void {
    this.#room(4);
    this.#view.setUint32(this.#at, length);
    this.#at += 4;
  }

  #value(value: unknown, depth: number): void {
    switch (typeof value) {
      case 'undefined':
        return this.#tag(Tag.Undefined);
      case 'boolean':
        return this.#tag(value ? Tag.True : Tag.False);
      case 'number':
        this.#tag(Tag.Number);
        this.#room(8);
        this.#view.setFloat64(this.#at, value);
        this.#at += 8;
        return;
      case 'bigint':
        // WIT's widest integers are 64 bits: s64 and u64 both fit, as signed or as its bit pattern.
        if (value < MIN_I64 || value > MAX_U64) throw UNCARRIED;
        this.#tag(Tag.BigInt);
        this.#room(9);
        this.#view.setUint8(this.#at, value > MAX_I64 ? 1 : 0);
        this.#view.setBigUint64(this.#at + 1, BigInt.asUintN(64, value));
        this.#at += 9;
        return;
      case 'string':
        return this.#string(value);
      case 'object':
        if (value === null) return this.#tag(Tag.Null);
        if (depth >= MAX_DEPTH) throw UNCARRIED;
        if (value instanceof Uint8Array) return this.#byteArray(value);
        if (Array.isArray(value)) return this.#array(value, depth);
        return this.#object(value, depth);
      default:
        // Functions and symbols cannot be posted either: posting reports them as it always did.
        throw UNCARRIED;
    }
  }

  #string(value: string): void {
    const number = this.#taught.get(value);
    if (number !== undefined) {
      this.#tag(Tag.Learnt);
      this.#length(number);
      return;
    }
    const start = this.#at + 5;
    if (value.length <= SHORT_STRING) {
      this.#room(5 + value.length);
      if (this.#asciiInto(value, start)) {
        const learn = this.#taught.size < LEARNT_STRINGS;
        this.#tag(learn ? Tag.Learn : Tag.String);
        this.#view.setUint32(this.#at, value.length);
        this.#at = start + value.length;
        if (learn) {
          this.#taught.set(value, this.#taught.size);
          this.#teaching.push(value);
        }
        return;
      }
    }
    this.#tag(Tag.String);
    // A lone surrogate would come out as U+FFFD: such a string goes by the port, unchanged.
    if (!value.isWellFormed()) throw UNCARRIED;
    this.#room(4 + Buffer.byteLength(value, 'utf8'));
    const written = this.#bytes.write(value, start, 'utf8');
    this.#view.setUint32(this.#at, written);
    this.#at = start + written;
  }

  /** Writes a short ASCII string byte by byte (cheaper than a call into C++); false if it is not ASCII. */
  #asciiInto(value: string, start: number): boolean {
    const bytes = this.#bytes;
    for (let i = 0; i < value.length; i++) {
      const code = value.charCodeAt(i);
      if (code >= 0x80) return false;
      bytes[start + i] = code;
    }
    return true;
  }

  #byteArray(value: Uint8Array): void {
    this.#tag(Tag.Bytes);
    this.#length(value.byteLength);
    this.#room(value.byteLength);
    this.#bytes.set(value, this.#at);
    this.#at += value.byteLength;
  }

  #array(value: readonly unknown[], depth: number): void {
    this.#tag(Tag.Array);
    this.#length(value.length);
    // A sparse array's holes would come back as undefined: it goes by the port.
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) throw UNCARRIED;
      this.#value(value[i], depth + 1);
    }
  }

  #object(value: object, depth: number): void {
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) throw UNCARRIED;
    const keys = Object.keys(value);
    this.#tag(Tag.Object);
    this.#length(keys.length);
    for (const key of keys) {
      this.#string(key);
      this.#value((value as Record<string, unknown>)[key], depth + 1);
    }
  }

  #read(): unknown {
    const view = this.#view;
    const tag = view.getUint8(this.#at++) as Tag;
    switch (tag) {
      case Tag.Undefined:
        return undefined;
      case Tag.Null:
        return null;
      case Tag.False:
        return false;
      case Tag.True:
        return true;
      case Tag.Number: {
        const value = view.getFloat64(this.#at);
        this.#at += 8;
        return value;
      }
      case Tag.BigInt: {
        const unsigned = view.getUint8(this.#at) === 1;
        const value = unsigned ? view.getBigUint64(this.#at + 1) : view.getBigInt64(this.#at + 1);
        this.#at += 9;
        return value;
      }
      case Tag.String:
        return this.#readString();
      case Tag.Learn: {
        const text = this.#readString();
        this.#learnt.push(text);
        return text;
      }
      case Tag.Learnt:
        return this.#learntString();
      case Tag.Bytes: {
        const length = view.getUint32(this.#at);
        this.#at += 4;
        // A copy: the slot is written again by the next message.
        const value = new Uint8Array(length);
        if (length > 0) value.set(new Uint8Array(this.#bytes.buffer, this.#bytes.byteOffset + this.#at, length));
        this.#at += length;
        return value;
      }
      case Tag.Array: {
        const length = view.getUint32(this.#at);
        this.#at += 4;
        const value = new Array<unknown>(length);
        for (let i = 0; i < length; i++) value[i] = this.#read();
        return value;
      }
      case Tag.Object: {
        const count = view.getUint32(this.#at);
        this.#at += 4;
        const value: Record<string, unknown> = {};
        for (let i = 0; i < count; i++) {
          const key = this.#read() as string;
          // A key named __proto__ is an own property after a structured clone too.
          if (key === '__proto__') Object.defineProperty(value, key, { value: this.#read(), enumerable: true, writable: true, configurable: true });
          else value[key] = this.#read();
        }
        return value;
      }
      default:
        throw new Error(`a shared slot holds an unknown tag ${tag as number}`);
    }
  }

  #readString(): string {
    const length = this.#view.getUint32(this.#at);
    const start = this.#at + 4;
    this.#at = start + length;
    if (length > SHORT_STRING) return this.#bytes.toString('utf8', start, start + length);
    // Short ASCII strings are built here: a call into C++ costs more than a few bytes.
    const bytes = this.#bytes;
    let text = '';
    for (let i = start; i < start + length; i++) {
      const byte = bytes[i]!;
      if (byte >= 0x80) return this.#bytes.toString('utf8', start, start + length);
      text += String.fromCharCode(byte);
    }
    return text;
  }

  #learntString(): string {
    const number = this.#view.getUint32(this.#at);
    this.#at += 4;
    const text = this.#learnt[number];
    if (text === undefined) throw new Error(`a shared slot's message names learnt string ${number}, and this side has learnt ${this.#learnt.length}`);
    return text;
  }
}
