/**
 * An SSD1306 as the chip sees the I2C bus: control bytes, commands with their parameters, display
 * data. It decodes the bytes into display RAM and state as the datasheet describes, and knows
 * nothing of the framebuffer that produced them. Pure: bytes in, state out.
 */

export const RAM_COLUMNS = 128;
export const RAM_PAGES = 8;

export type AddressingMode = 'horizontal' | 'vertical' | 'page';

export interface EmulatorState {
  addressing: AddressingMode;
  columnWindow: [number, number];
  pageWindow: [number, number];
  column: number;
  page: number;
  /** Page addressing mode's column start (0x00-0x1F), where the column pointer returns. */
  pageModeColumnStart: number;
  startLine: number;
  displayOffset: number;
  multiplexRatio: number;
  segmentRemap: boolean;
  comScanReversed: boolean;
  displayOn: boolean;
  inverse: boolean;
  entireDisplayOn: boolean;
  contrast: number;
  chargePump: boolean;
  comPins: number;
  clockDivide: number;
  precharge: number;
  vcomh: number;
  scrolling: boolean;
}

/** Parameter counts of the commands that take them (datasheet, table 9-1). */
const PARAMETERS: Record<number, number> = {
  0x20: 1, 0x21: 2, 0x22: 2, 0x81: 1, 0x8d: 1, 0xa8: 1, 0xd3: 1, 0xd5: 1, 0xd9: 1, 0xda: 1, 0xdb: 1,
  0x26: 6, 0x27: 6, 0x29: 5, 0x2a: 5, 0xa3: 2,
};

export class Ssd1306Emulator {
  readonly ram = new Uint8Array(RAM_COLUMNS * RAM_PAGES);
  readonly state: EmulatorState = {
    // The datasheet's reset values.
    addressing: 'page',
    columnWindow: [0, 127],
    pageWindow: [0, 7],
    column: 0,
    page: 0,
    pageModeColumnStart: 0,
    startLine: 0,
    displayOffset: 0,
    multiplexRatio: 63,
    segmentRemap: false,
    comScanReversed: false,
    displayOn: false,
    inverse: false,
    entireDisplayOn: false,
    contrast: 0x7f,
    chargePump: false,
    comPins: 0x12,
    clockDivide: 0x80,
    precharge: 0x22,
    vcomh: 0x20,
    scrolling: false,
  };
  /** Command bytes the chip does not know, by value, with how often each came. */
  readonly unknownCommands = new Map<number, number>();
  /** I2C writes and bytes received, control bytes included. */
  writes = 0;
  bytes = 0;
  #pending: number[] = [];

  /** One I2C write transaction: control byte(s), then commands or data. */
  receive(write: Uint8Array): void {
    this.writes++;
    this.bytes += write.length;
    let at = 0;
    while (at < write.length) {
      const control = write[at++]!;
      const continuation = (control & 0x80) !== 0;
      const data = (control & 0x40) !== 0;
      // Co = 1: one byte follows, then another control byte. Co = 0: the rest is all of one kind.
      const end = continuation ? Math.min(at + 1, write.length) : write.length;
      for (; at < end; at++) {
        if (data) this.#data(write[at]!);
        else this.#command(write[at]!);
      }
    }
  }

  /**
   * What the panel shows at (x, y), after remapping, offset, start line and the display switches.
   * The glass is taken as the common breakout boards wire it: with segment remap on (A1) and COM
   * scan reversed (C8), RAM column 0 shows at the left and row 0 at the top.
   */
  pixel(x: number, y: number): boolean {
    const s = this.state;
    const rows = s.multiplexRatio + 1;
    if (!s.displayOn || x < 0 || x >= RAM_COLUMNS || y < 0 || y >= rows) return false;
    if (s.entireDisplayOn) return true;
    const column = s.segmentRemap ? x : RAM_COLUMNS - 1 - x;
    const com = s.comScanReversed ? y : rows - 1 - y;
    const row = (com + s.displayOffset + s.startLine) % (RAM_PAGES * 8);
    const lit = (this.ram[(row >> 3) * RAM_COLUMNS + column]! & (1 << (row & 7))) !== 0;
    return lit !== s.inverse;
  }

  /** The visible panel as rows of booleans, `height` rows (32 or 64). */
  screen(height: number): boolean[][] {
    return Array.from({ length: height }, (_, y) => Array.from({ length: RAM_COLUMNS }, (_, x) => this.pixel(x, y)));
  }

  #command(byte: number): void {
    if (this.#pending.length > 0) {
      this.#pending.push(byte);
      if (this.#pending.length - 1 === PARAMETERS[this.#pending[0]!]) {
        const [command, ...parameters] = this.#pending;
        this.#pending = [];
        this.#withParameters(command!, parameters);
      }
      return;
    }
    if (PARAMETERS[byte] !== undefined) {
      this.#pending = [byte];
      return;
    }
    const s = this.state;
    if (byte <= 0x0f) s.pageModeColumnStart = s.column = (s.pageModeColumnStart & 0xf0) | byte;
    else if (byte <= 0x1f) s.pageModeColumnStart = s.column = ((byte & 0x07) << 4) | (s.pageModeColumnStart & 0x0f);
    else if (byte >= 0x40 && byte <= 0x7f) s.startLine = byte & 0x3f;
    else if (byte >= 0xb0 && byte <= 0xb7) s.page = byte & 0x07;
    else if (byte === 0xa0 || byte === 0xa1) s.segmentRemap = byte === 0xa1;
    else if (byte === 0xa4 || byte === 0xa5) s.entireDisplayOn = byte === 0xa5;
    else if (byte === 0xa6 || byte === 0xa7) s.inverse = byte === 0xa7;
    else if (byte === 0xae || byte === 0xaf) s.displayOn = byte === 0xaf;
    else if (byte === 0xc0 || byte === 0xc8) s.comScanReversed = byte === 0xc8;
    else if (byte === 0x2e || byte === 0x2f) s.scrolling = byte === 0x2f;
    else if (byte !== 0xe3) this.unknownCommands.set(byte, (this.unknownCommands.get(byte) ?? 0) + 1);
  }

  #withParameters(command: number, [a, b]: number[]): void {
    const s = this.state;
    switch (command) {
      case 0x20:
        s.addressing = (['horizontal', 'vertical', 'page'] as const)[a! & 0x03] ?? s.addressing;
        return;
      case 0x21:
        s.columnWindow = [a! & 0x7f, b! & 0x7f];
        s.column = s.columnWindow[0];
        return;
      case 0x22:
        s.pageWindow = [a! & 0x07, b! & 0x07];
        s.page = s.pageWindow[0];
        return;
      case 0x81:
        s.contrast = a!;
        return;
      case 0x8d:
        s.chargePump = (a! & 0x04) !== 0;
        return;
      case 0xa8:
        s.multiplexRatio = Math.max(15, a! & 0x3f);
        return;
      case 0xd3:
        s.displayOffset = a! & 0x3f;
        return;
      case 0xd5:
        s.clockDivide = a!;
        return;
      case 0xd9:
        s.precharge = a!;
        return;
      case 0xda:
        s.comPins = a!;
        return;
      case 0xdb:
        s.vcomh = a!;
        return;
      default:
        // Scrolling setup (0x26, 0x27, 0x29, 0x2a, 0xa3): taken, and not drawn.
        return;
    }
  }

  #data(byte: number): void {
    const s = this.state;
    this.ram[s.page * RAM_COLUMNS + s.column] = byte;
    const [firstColumn, lastColumn] = s.columnWindow;
    const [firstPage, lastPage] = s.pageWindow;
    if (s.addressing === 'page') {
      // The column pointer wraps within the page; the page does not change.
      s.column = s.column >= RAM_COLUMNS - 1 ? s.pageModeColumnStart : s.column + 1;
    } else if (s.addressing === 'horizontal') {
      if (s.column < lastColumn) s.column++;
      else {
        s.column = firstColumn;
        s.page = s.page < lastPage ? s.page + 1 : firstPage;
      }
    } else if (s.page < lastPage) s.page++;
    else {
      s.page = firstPage;
      s.column = s.column < lastColumn ? s.column + 1 : firstColumn;
    }
  }
}
