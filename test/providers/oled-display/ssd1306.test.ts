import { describe, expect, it } from 'vitest';
import { CONTROL_COMMANDS, CONTROL_DATA, Framebuffer, Panel, parsePanelConfig, Ssd1306, Ssd1306Emulator, type I2cTransport, type PanelHeight } from '../../../providers/oled-display/index.ts';

/** The emulator behind the transport interface, as the provider will wire it. */
function emulated(maxWriteBytes = 1024): { chip: Ssd1306Emulator; transport: I2cTransport; writes: Uint8Array[] } {
  const chip = new Ssd1306Emulator();
  const writes: Uint8Array[] = [];
  return {
    chip,
    writes,
    transport: {
      maxWriteBytes,
      write: async (bytes) => {
        writes.push(bytes.slice());
        chip.receive(bytes);
      },
    },
  };
}

/** A scene with every primitive: text (two scales), lines, rectangles, a bitmap, and pixels at the edges. */
function drawScene(frame: Framebuffer): void {
  frame.text(2, 1, 'Hello, badger!', 1, 'on');
  frame.text(0, 12, 'OLED 42', 2, 'on');
  frame.line(0, 0, frame.width - 1, frame.height - 1, 'toggle');
  frame.line(frame.width - 1, 0, 0, frame.height - 1, 'on');
  frame.rectangle(90, 2, 30, 12, false, 'on');
  frame.rectangle(100, 20, 20, 8, true, 'toggle');
  // A 10×4 arrow, rows of two bytes, most significant bit leftmost.
  frame.blit(60, frame.height - 6, 10, 4, Uint8Array.from([0x04, 0x00, 0xff, 0x80, 0xff, 0x80, 0x04, 0x00]), 'on');
  frame.setPixel(127, frame.height - 1, 'on');
  frame.setPixel(-3, 5, 'on'); // clipped, no error
}

function ramPages(chip: Ssd1306Emulator, pages: number): Uint8Array {
  return chip.ram.slice(0, pages * 128);
}

describe('SSD1306 driver and emulator', () => {
  it('sends the datasheet init sequence, byte for byte, for each panel', async () => {
    // Written out from the SSD1306 datasheet's command table, for a panel with the charge pump on.
    const expected64 = [
      0x00, // control byte: a stream of commands
      0xae, // display off
      0xd5, 0x80, // clock divide ratio / oscillator frequency
      0xa8, 0x3f, // multiplex ratio: 64 rows
      0xd3, 0x00, // display offset 0
      0x40, // start line 0
      0x8d, 0x14, // charge pump on
      0x20, 0x00, // horizontal addressing
      0xa1, // segment remap: column 127 to SEG0
      0xc8, // COM scan from COM63 to COM0
      0xda, 0x12, // COM pins: alternative configuration
      0x81, 0x7f, // contrast
      0xd9, 0xf1, // pre-charge period
      0xdb, 0x20, // VCOMH deselect 0.77 × Vcc
      0x2e, // scrolling off
      0xa4, // display follows RAM
      0xa6, // normal, not inverse
      0xaf, // display on
    ];
    const at64 = emulated();
    await new Ssd1306(at64.transport, { height: 64 }).init();
    expect([...at64.writes.flatMap((write) => [...write])]).toEqual(expected64);

    const at32 = emulated();
    await new Ssd1306(at32.transport, { height: 32, rotate180: true }).init();
    const expected32 = [...expected64];
    expected32[5] = 0x1f; // 32 rows
    expected32[13] = 0xa0; // upside down: no segment remap…
    expected32[14] = 0xc0; // …and COM scan from COM0
    expected32[16] = 0x02; // COM pins: sequential
    expect([...at32.writes.flatMap((write) => [...write])]).toEqual(expected32);
    expect(at32.chip.unknownCommands.size).toBe(0);
    expect(at32.chip.state).toMatchObject({ displayOn: true, multiplexRatio: 31, chargePump: true, addressing: 'horizontal', comPins: 0x02 });
  });

  for (const height of [64, 32] as PanelHeight[]) {
    for (const rotate180 of [false, true]) {
      it(`puts exactly the frame into the chip's RAM, and on the glass (${height} rows${rotate180 ? ', rotated 180°' : ''})`, async () => {
        const { chip, transport } = emulated(rotate180 ? 33 : 1024);
        const driver = new Ssd1306(transport, { height, rotate180 });
        const frame = new Framebuffer(height);
        await driver.init();
        drawScene(frame);
        await driver.flush(frame);
        expect(ramPages(chip, frame.pages)).toEqual(frame.bytes);
        for (let y = 0; y < height; y++) {
          for (let x = 0; x < 128; x++) {
            const shown = rotate180 ? frame.getPixel(127 - x, height - 1 - y) : frame.getPixel(x, y);
            if (chip.pixel(x, y) !== shown) throw new Error(`pixel (${x}, ${y}) shows ${chip.pixel(x, y)}, the frame has ${shown}`);
          }
        }
        expect(chip.unknownCommands.size).toBe(0);
      });
    }
  }

  it('sends only what changed: a one-line text change costs a fraction of a full frame', async () => {
    const { chip, transport } = emulated();
    const driver = new Ssd1306(transport, { height: 64 });
    await driver.init();
    const frame = new Framebuffer(64);
    frame.text(0, 0, 'Hello', 2, 'on');
    frame.markAllDirty();
    const before = driver.bytesSent;
    await driver.flush(frame);
    const full = driver.bytesSent - before;
    // A whole frame: the window (control + 6 command bytes), then 1024 data bytes in writes of at
    // most 1024 bytes, each with its control byte (two of them).
    expect(full).toBe(7 + 1024 + 2);

    // A clock line on the blank page 6: '12:34' lights columns 1 ('1') to 28 ('4'), so one
    // window of 28 columns: control + 6 command bytes, control + 28 data bytes.
    frame.rectangle(0, 48, 128, 8, true, 'off');
    frame.text(0, 48, '12:34', 1, 'on');
    const partialStart = driver.bytesSent;
    await driver.flush(frame);
    const partial = driver.bytesSent - partialStart;
    expect(partial).toBe(7 + 1 + 28);
    expect(partial).toBeLessThan(full / 20);
    expect(ramPages(chip, 8)).toEqual(frame.bytes);

    // Nothing changed: nothing sent.
    const idle = driver.bytesSent;
    await driver.flush(frame);
    expect(driver.bytesSent).toBe(idle);
  });

  it('splits writes at the transport limit, data and commands alike, and never a command from its parameters', async () => {
    const { chip, transport, writes } = emulated(16);
    const driver = new Ssd1306(transport, { height: 64 });
    await driver.init();
    const frame = new Framebuffer(64);
    frame.clear('on');
    await driver.flush(frame);
    expect(writes.every((write) => write.length <= 16)).toBe(true);
    expect(writes.filter((write) => write[0] === CONTROL_DATA).reduce((sum, write) => sum + write.length - 1, 0)).toBe(1024);
    expect(chip.ram.every((byte) => byte === 0xff)).toBe(true);
    expect(chip.unknownCommands.size).toBe(0);
  });

  it('switches inverse, contrast and power as the chip does', async () => {
    const { chip, transport } = emulated();
    const driver = new Ssd1306(transport, { height: 64 });
    await driver.init();
    const frame = new Framebuffer(64);
    frame.setPixel(5, 5, 'on');
    await driver.flush(frame);
    expect([chip.pixel(5, 5), chip.pixel(6, 5)]).toEqual([true, false]);
    await driver.setInverted(true);
    expect([chip.pixel(5, 5), chip.pixel(6, 5)]).toEqual([false, true]);
    await driver.setContrast(0x10);
    expect(chip.state.contrast).toBe(0x10);
    await driver.setPower(false);
    expect(chip.pixel(6, 5)).toBe(false);
    await driver.setPower(true);
    expect(chip.pixel(6, 5)).toBe(true);
  });
});

describe('SSD1306 emulator, from the datasheet', () => {
  const command = (...bytes: number[]) => Uint8Array.from([CONTROL_COMMANDS, ...bytes]);
  const data = (...bytes: number[]) => Uint8Array.from([CONTROL_DATA, ...bytes]);

  it('wraps within the column and page windows in horizontal and vertical modes', () => {
    const chip = new Ssd1306Emulator();
    chip.receive(command(0x20, 0x00, 0x21, 10, 11, 0x22, 2, 3));
    chip.receive(data(1, 2, 3, 4, 5));
    // 10,p2 ← 1; 11,p2 ← 2; 10,p3 ← 3; 11,p3 ← 4; then back to 10,p2 ← 5.
    expect([chip.ram[2 * 128 + 10], chip.ram[2 * 128 + 11], chip.ram[3 * 128 + 10], chip.ram[3 * 128 + 11]]).toEqual([5, 2, 3, 4]);

    chip.receive(command(0x20, 0x01, 0x21, 20, 21, 0x22, 0, 1));
    chip.receive(data(6, 7, 8, 9, 10));
    // Vertical: down the pages first.
    expect([chip.ram[20], chip.ram[128 + 20], chip.ram[21], chip.ram[128 + 21]]).toEqual([10, 7, 8, 9]);
  });

  it('addresses pages with B0-B7 and split column nibbles, wrapping within the page', () => {
    const chip = new Ssd1306Emulator();
    chip.receive(command(0x20, 0x02, 0xb5, 0x0e, 0x17)); // page 5, column 0x7e
    chip.receive(data(0xaa, 0xbb, 0xcc));
    expect([chip.ram[5 * 128 + 126], chip.ram[5 * 128 + 127], chip.ram[5 * 128 + 126]]).toEqual([0xcc, 0xbb, 0xcc]);
    expect(chip.state.page).toBe(5);
  });

  it('reads single-byte control pairs (Co = 1) as well as streams', () => {
    const chip = new Ssd1306Emulator();
    chip.receive(Uint8Array.from([0x80, 0xaf, 0x80, 0xa7, 0xc0, 0x55]));
    expect(chip.state).toMatchObject({ displayOn: true, inverse: true });
    expect(chip.ram[0]).toBe(0x55);
  });

  it('applies the start line, and lights everything on A5', () => {
    const chip = new Ssd1306Emulator();
    chip.receive(command(0xaf, 0xa1, 0xc8, 0x20, 0x00, 0x21, 0, 127, 0x22, 0, 7));
    chip.receive(data(0x01)); // RAM row 0 of column 0
    expect(chip.pixel(0, 0)).toBe(true);
    chip.receive(command(0x40 | 8)); // start at row 8: row 0 now shows at the bottom (y = 56)
    expect([chip.pixel(0, 0), chip.pixel(0, 56)]).toEqual([false, true]);
    chip.receive(command(0xa5));
    expect(chip.pixel(100, 30)).toBe(true);
  });

  it('counts commands it does not know rather than dropping them silently', () => {
    const chip = new Ssd1306Emulator();
    chip.receive(command(0xff, 0xf0, 0xff, 0xe3));
    expect(Object.fromEntries(chip.unknownCommands)).toEqual({ 255: 2, 240: 1 });
  });
});

describe('a panel under load', () => {
  it('coalesces flushes: while one is on the wire, every later call shares one follow-up with the latest frame', async () => {
    let release: (() => void) | undefined;
    let gated = false;
    const events: number[] = [];
    const panel = await Panel.open(parsePanelConfig({}), (frame) => events.push(frame.flushes), (transport) => ({
      maxWriteBytes: transport.maxWriteBytes,
      write: async (bytes) => {
        if (gated) await new Promise<void>((resolve) => (release = resolve));
        await transport.write(bytes);
      },
    }));
    gated = true;
    panel.frame.setPixel(0, 0, 'on');
    const first = panel.flush();
    const later = Array.from({ length: 50 }, (_, i) => {
      panel.frame.setPixel(i + 1, 0, 'on');
      return panel.flush();
    });
    // Open the gate for every write that comes, until all flushes are done.
    let done = false;
    void Promise.all([first, ...later]).then(() => (done = true));
    for (let turns = 0; !done && turns < 1000; turns++) {
      gated = false;
      release?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(done).toBe(true);
    // The opening flush, the one in flight, and a single follow-up: not 51.
    expect(events).toEqual([1, 2, 3]);
    expect(panel.emulator!.ram.slice(0, 128)).toEqual(panel.frame.bytes.slice(0, 128));
    expect(panel.frame.getPixel(50, 0)).toBe(true);
  });
});
