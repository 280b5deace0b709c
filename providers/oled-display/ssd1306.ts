import type { DirtySpan, Framebuffer, PanelHeight } from './framebuffer.ts';

/** Where the driver's bytes go: an I2C device, or the emulator. Each write is one I2C transaction. */
export interface I2cTransport {
  /** The most bytes one write may carry, its control byte included. */
  readonly maxWriteBytes: number;
  write(bytes: Uint8Array): Promise<void>;
}

/** First byte of every write: Co = 0 (no further control bytes), D/C# = 0 for commands, 1 for display data. */
export const CONTROL_COMMANDS = 0x00;
export const CONTROL_DATA = 0x40;

/** The SSD1306 commands the driver sends (datasheet, section 9). */
export const Command = {
  setColumnAddress: 0x21,
  setPageAddress: 0x22,
  setMemoryAddressingMode: 0x20,
  setContrast: 0x81,
  chargePump: 0x8d,
  segmentRemapOff: 0xa0,
  segmentRemapOn: 0xa1,
  resumeFromRam: 0xa4,
  normalDisplay: 0xa6,
  inverseDisplay: 0xa7,
  setMultiplexRatio: 0xa8,
  displayOff: 0xae,
  displayOn: 0xaf,
  comScanIncrementing: 0xc0,
  comScanDecrementing: 0xc8,
  setDisplayOffset: 0xd3,
  setClockDivide: 0xd5,
  setPrecharge: 0xd9,
  setComPins: 0xda,
  setVcomhDeselect: 0xdb,
  setStartLine: 0x40,
  deactivateScroll: 0x2e,
} as const;

export interface PanelOptions {
  readonly height: PanelHeight;
  /** The panel is mounted upside down: the chip mirrors columns and rows, the frame is unchanged. */
  readonly rotate180?: boolean;
  readonly contrast?: number;
}

/** Segment remap and COM scan direction: A1/C8 shows RAM column 0 at the left, row 0 at the top. */
export function orientationCommands(rotate180: boolean): number[] {
  return rotate180 ? [Command.segmentRemapOff, Command.comScanIncrementing] : [Command.segmentRemapOn, Command.comScanDecrementing];
}

/**
 * The power-on sequence for a panel with the internal charge pump (the usual breakout boards),
 * with the datasheet's recommended values (application note, "software initialization"): one
 * array per command, its parameters after it.
 */
export function initCommands(options: PanelOptions): number[][] {
  return [
    [Command.displayOff],
    [Command.setClockDivide, 0x80], // divide ratio 1, oscillator frequency at its reset value
    [Command.setMultiplexRatio, options.height - 1],
    [Command.setDisplayOffset, 0x00],
    [Command.setStartLine | 0],
    [Command.chargePump, 0x14], // enable the internal DC-DC converter
    [Command.setMemoryAddressingMode, 0x00], // horizontal
    ...orientationCommands(options.rotate180 ?? false).map((command) => [command]),
    [Command.setComPins, options.height === 64 ? 0x12 : 0x02], // alternative pins for 64 rows, sequential for 32
    [Command.setContrast, options.contrast ?? 0x7f],
    [Command.setPrecharge, 0xf1], // phase 1 one clock, phase 2 fifteen: the charge pump's value
    [Command.setVcomhDeselect, 0x20], // 0.77 × Vcc, the reset value
    [Command.deactivateScroll],
    [Command.resumeFromRam],
    [Command.normalDisplay],
    [Command.displayOn],
  ];
}

/** Commands packed into writes of at most `maxWriteBytes`, never splitting a command from its parameters. */
export function commandWrites(commands: readonly (readonly number[])[], maxWriteBytes: number): Uint8Array[] {
  const writes: Uint8Array[] = [];
  let current: number[] = [CONTROL_COMMANDS];
  for (const command of commands) {
    if (current.length > 1 && current.length + command.length > maxWriteBytes) {
      writes.push(Uint8Array.from(current));
      current = [CONTROL_COMMANDS];
    }
    current.push(...command);
  }
  if (current.length > 1) writes.push(Uint8Array.from(current));
  return writes;
}

/** Display data in writes of at most `maxWriteBytes`, each starting with the data control byte. */
export function dataWrites(payload: ArrayLike<number>, maxWriteBytes: number): Uint8Array[] {
  const control = CONTROL_DATA;
  const room = maxWriteBytes - 1;
  const writes: Uint8Array[] = [];
  for (let at = 0; at < payload.length; at += room) {
    const end = Math.min(payload.length, at + room);
    const write = new Uint8Array(1 + end - at);
    write[0] = control;
    for (let i = at; i < end; i++) write[1 + i - at] = payload[i]!;
    writes.push(write);
  }
  return writes;
}

interface Window {
  readonly pages: readonly [number, number];
  readonly columns: readonly [number, number];
}

function windowWrites(frame: Framebuffer, window: Window, maxWriteBytes: number): Uint8Array[] {
  const [firstPage, lastPage] = window.pages;
  const [from, to] = window.columns;
  const data: number[] = [];
  for (let page = firstPage; page <= lastPage; page++) {
    for (let column = from; column <= to; column++) data.push(frame.bytes[page * frame.width + column]!);
  }
  const address = [
    [Command.setColumnAddress, from, to],
    [Command.setPageAddress, firstPage, lastPage],
  ];
  return [...commandWrites(address, maxWriteBytes), ...dataWrites(data, maxWriteBytes)];
}

const size = (writes: Uint8Array[]) => writes.reduce((total, write) => total + write.length, 0);

/**
 * The I2C writes that bring the panel's RAM up to date with the changed spans, in horizontal
 * addressing mode: one window per changed page, or a single window around them all when that
 * costs fewer bytes (a full redraw). Pure.
 */
export function frameWrites(frame: Framebuffer, spans: readonly DirtySpan[], maxWriteBytes: number): Uint8Array[] {
  if (spans.length === 0) return [];
  const perPage = spans.flatMap((span) => windowWrites(frame, { pages: [span.page, span.page], columns: [span.from, span.to] }, maxWriteBytes));
  const around = windowWrites(
    frame,
    {
      pages: [Math.min(...spans.map((span) => span.page)), Math.max(...spans.map((span) => span.page))],
      columns: [Math.min(...spans.map((span) => span.from)), Math.max(...spans.map((span) => span.to))],
    },
    maxWriteBytes,
  );
  return size(around) <= size(perPage) ? around : perPage;
}

/**
 * The SSD1306 driver: init, partial flushes and the panel's switches, as bytes on a transport.
 * It keeps no copy of the panel's RAM; the frame's dirty spans say what changed.
 */
export class Ssd1306 {
  readonly #transport: I2cTransport;
  readonly #options: PanelOptions;
  #sent = 0;

  constructor(transport: I2cTransport, options: PanelOptions) {
    this.#transport = transport;
    this.#options = options;
  }

  /** Bytes written so far, control bytes included. */
  get bytesSent(): number {
    return this.#sent;
  }

  async init(): Promise<void> {
    await this.#commands(initCommands(this.#options));
  }

  /** Sends what changed in `frame` since its last flush. */
  async flush(frame: Framebuffer): Promise<void> {
    for (const write of frameWrites(frame, frame.takeDirty(), this.#transport.maxWriteBytes)) await this.#write(write);
  }

  setContrast(level: number): Promise<void> {
    return this.#commands([[Command.setContrast, level & 0xff]]);
  }

  setInverted(inverted: boolean): Promise<void> {
    return this.#commands([[inverted ? Command.inverseDisplay : Command.normalDisplay]]);
  }

  setPower(on: boolean): Promise<void> {
    return this.#commands([[on ? Command.displayOn : Command.displayOff]]);
  }

  async #commands(commands: number[][]): Promise<void> {
    for (const write of commandWrites(commands, this.#transport.maxWriteBytes)) await this.#write(write);
  }

  async #write(bytes: Uint8Array): Promise<void> {
    await this.#transport.write(bytes);
    this.#sent += bytes.length;
  }
}
