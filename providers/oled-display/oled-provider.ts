import { serving, WitError, type Link, type Provider } from '../../host/index.ts';
import { contract, type DisplayError, type DisplayHandler } from './contract.ts';
import { OledError } from './errors.ts';
import { Framebuffer, measureText } from './framebuffer.ts';
import { parsePanelConfig, type PanelConfig } from './link-config.ts';
import { Ssd1306, type I2cTransport } from './ssd1306.ts';
import { Ssd1306Emulator } from './ssd1306-emulator.ts';
import { packSnapshot, type DisplaySnapshot } from './renderers.ts';
import { emulatorTransport, i2cTransport } from './transports.ts';

export const OLED_DISPLAY = 'badger:oled/display';
/** How inventories name the display provider: the dashboard looks for it to mirror its panels. */
export const OLED_PROVIDER_NAME = 'OLED display (SSD1306)';

/** A flushed frame, as watchers (the CLI, the lattice, a browser) mirror it. */
export interface FrameEvent {
  readonly panel: string;
  readonly width: number;
  readonly height: number;
  /** The frame in SSD1306 page layout: `width` bytes per 8-row page, bit 0 at the top. */
  readonly bytes: Uint8Array;
  readonly flushes: number;
}

/** A frame as an `oled_frame` event carries it: which provider drew it, and the bytes in base64. */
export interface FrameJson extends Omit<FrameEvent, 'bytes'> {
  readonly provider: string;
  readonly bytes: string;
}

/** Pure: a frame as JSON carries it. */
export function frameAsJson(provider: string, frame: FrameEvent): FrameJson {
  return { provider, ...frame, bytes: Buffer.from(frame.bytes).toString('base64') };
}

/** One display: its frame, its driver, and (when emulated) the chip the driver's bytes reach. */
export class Panel {
  readonly config: PanelConfig;
  readonly frame: Framebuffer;
  readonly emulator: Ssd1306Emulator | undefined;
  readonly #driver: Ssd1306;
  readonly #close: () => Promise<void>;
  readonly #published: (frame: FrameEvent) => void;
  #sending: Promise<void> | undefined;
  #queued: Promise<void> | undefined;
  #flushes = 0;

  private constructor(config: PanelConfig, transport: I2cTransport, emulator: Ssd1306Emulator | undefined, close: () => Promise<void>, published: (frame: FrameEvent) => void) {
    this.config = config;
    this.frame = new Framebuffer(config.height);
    this.emulator = emulator;
    this.#driver = new Ssd1306(transport, { height: config.height, rotate180: config.rotate180, contrast: config.contrast });
    this.#close = close;
    this.#published = published;
  }

  /**
   * Opens the device (or makes the emulated chip), initialises it and clears it. `through` may
   * wrap the emulated chip's transport (a timed bus for the benchmark, a gate for tests).
   */
  static async open(config: PanelConfig, published: (frame: FrameEvent) => void, through: (transport: I2cTransport) => I2cTransport = (transport) => transport): Promise<Panel> {
    let panel: Panel;
    if (config.driver === 'emulator') {
      const chip = new Ssd1306Emulator();
      panel = new Panel(config, through(emulatorTransport(chip)), chip, async () => {}, published);
    } else {
      const transport = await i2cTransport(config.bus, config.address, config.maxWriteBytes);
      panel = new Panel(config, transport, undefined, () => transport.close(), published);
    }
    await panel.#driver.init();
    panel.frame.markAllDirty();
    await panel.flush();
    return panel;
  }

  get bytesSent(): number {
    return this.#driver.bytesSent;
  }

  /**
   * Sends the frame. Flushes never queue up: while one is on the wire, later calls share a single
   * follow-up, which sends whatever the frame holds by then (the latest frame wins).
   */
  flush(): Promise<void> {
    if (this.#queued) return this.#queued;
    if (this.#sending) {
      this.#queued = this.#sending.catch(() => {}).then(() => {
        this.#queued = undefined;
        return this.#send();
      });
      return this.#queued;
    }
    return this.#send();
  }

  setContrast(level: number): Promise<void> {
    return this.#driver.setContrast(level);
  }

  setInverted(inverted: boolean): Promise<void> {
    return this.#driver.setInverted(inverted);
  }

  setPower(on: boolean): Promise<void> {
    return this.#driver.setPower(on);
  }

  close(): Promise<void> {
    return this.#close();
  }

  #send(): Promise<void> {
    this.#sending = this.#driver.flush(this.frame).finally(() => (this.#sending = undefined));
    return this.#sending.then(() => {
      this.#flushes++;
      this.#published({ panel: this.config.id, width: this.frame.width, height: this.frame.height, bytes: this.frame.bytes.slice(), flushes: this.#flushes });
    });
  }
}

export interface OledDisplayProvider extends Provider {
  readonly display: DisplayHandler;
  /** What panel `name` (or the first open one) shows; undefined when there is none. */
  snapshot(name?: string): DisplaySnapshot | undefined;
  /** The open panels, by id. */
  panels(): ReadonlyMap<string, Panel>;
  /** Hears every flushed frame; returns how to stop. */
  onFrame(listener: (frame: FrameEvent) => void): () => void;
}

/**
 * The `badger:oled/display` provider. A link from an actor says which panel it draws on (an
 * emulated one by default, or an SSD1306 on an I2C bus); the drawing happens in the panel's frame
 * here, and `flush` sends the changed part to the device. A device that cannot be opened fails the
 * link put with the fix in its message and marks the provider unhealthy; the host goes on.
 */
export function oledDisplayProvider(options: { readonly id?: string } = {}): OledDisplayProvider {
  const panels = new Map<string, Panel>();
  const opening = new Map<string, Promise<Panel>>();
  const listeners = new Set<(frame: FrameEvent) => void>();
  const problems = new Map<string, string>();
  const publish = (frame: FrameEvent) => {
    for (const listener of listeners) listener(frame);
  };

  const panelOf = (link: Link): Panel => {
    const panel = panels.get(parsePanelConfig(link.config).id);
    if (!panel) throw new WitError({ tag: 'device', val: `the display of this link is not open; put the link again` } satisfies DisplayError);
    return panel;
  };
  /** Runs a drawing call, turning a bad argument into the WIT's own error. */
  const drawing = <T>(link: Link, draw: (frame: Framebuffer) => T): Promise<T> => {
    const frame = panelOf(link).frame;
    try {
      return Promise.resolve(draw(frame));
    } catch (error) {
      if (error instanceof RangeError) throw new WitError({ tag: 'invalid-argument', val: error.message } satisfies DisplayError);
      throw error;
    }
  };
  const onDevice = async (link: Link, work: (panel: Panel) => Promise<void>): Promise<void> => {
    const panel = panelOf(link);
    try {
      await work(panel);
      problems.delete(panel.config.id);
    } catch (error) {
      problems.set(panel.config.id, (error as Error).message);
      throw new WitError({ tag: 'device', val: (error as Error).message } satisfies DisplayError);
    }
  };

  const display: DisplayHandler = {
    size: async (link) => {
      const { width, height } = panelOf(link).frame;
      return { width, height };
    },
    clear: (color, link) => drawing(link, (frame) => frame.clear(color)),
    setPixel: (x, y, color, link) => drawing(link, (frame) => frame.setPixel(x, y, color)),
    line: (x0, y0, x1, y1, color, link) => drawing(link, (frame) => frame.line(x0, y0, x1, y1, color)),
    rectangle: (x, y, width, height, filled, color, link) => drawing(link, (frame) => frame.rectangle(x, y, width, height, filled, color)),
    text: (x, y, text, scale, color, link) => drawing(link, (frame) => frame.text(x, y, text, scale, color)),
    measureText: (text, scale, link) => drawing(link, () => measureText(text, scale)),
    blit: (x, y, width, height, bits, color, link) => drawing(link, (frame) => frame.blit(x, y, width, height, bits, color)),
    setInverted: (inverted, link) => onDevice(link, (panel) => panel.setInverted(inverted)),
    setContrast: (level, link) => onDevice(link, (panel) => panel.setContrast(level)),
    setPower: (on, link) => onDevice(link, (panel) => panel.setPower(on)),
    flush: (link) => onDevice(link, (panel) => panel.flush()),
  };

  function snapshot(name?: string): DisplaySnapshot | undefined {
    const panel = name === undefined ? panels.values().next().value : panels.get(name);
    if (!panel) return undefined;
    // An emulated panel shows what its chip shows; a real one, the frame last drawn (its mirror).
    const chip = panel.emulator;
    const pixel = chip ? (x: number, y: number) => chip.pixel(x, y) : (x: number, y: number) => panel.frame.getPixel(x, y);
    return packSnapshot(panel.config.id, panel.frame.width, panel.frame.height, pixel);
  }

  return {
    id: options.id ?? 'oled-display',
    name: OLED_PROVIDER_NAME,
    display,
    serves: [serving(contract, display)],
    services: {
      // Asked by tools in other processes: the request is checked here.
      snapshot(request) {
        const panel = (request as { panel?: unknown } | undefined)?.panel;
        if (request !== undefined && (typeof request !== 'object' || request === null || Array.isArray(request) || (panel !== undefined && typeof panel !== 'string'))) {
          throw new OledError('OLED_BAD_REQUEST', 'a snapshot request is empty or {"panel": "NAME"}');
        }
        return snapshot(panel as string | undefined);
      },
    },
    async linkPut(link) {
      if (link.interface !== OLED_DISPLAY) throw new OledError('OLED_BAD_LINK_CONFIG', `the display provider serves ${OLED_DISPLAY}, not ${link.interface}`);
      const config = parsePanelConfig(link.config);
      if (panels.has(config.id)) return;
      let open = opening.get(config.id);
      if (!open) {
        open = Panel.open(config, publish);
        opening.set(config.id, open);
      }
      try {
        const panel = await open;
        panels.set(config.id, panel);
        problems.delete(config.id);
      } catch (error) {
        problems.set(config.id, (error as Error).message);
        throw error;
      } finally {
        opening.delete(config.id);
      }
    },
    health() {
      if (problems.size > 0) return { healthy: false, message: [...problems].map(([id, problem]) => `${id}: ${problem}`).join('; ') };
      const describe = (panel: Panel) => {
        const unknown = [...(panel.emulator?.unknownCommands ?? [])].map(([command, count]) => `0x${command.toString(16)}×${count}`);
        return `${panel.config.id} (${panel.config.driver}, 128×${panel.config.height}${unknown.length > 0 ? `, unknown commands ${unknown.join(' ')}` : ''})`;
      };
      return { healthy: true, message: [...panels.values()].map(describe).join('; ') || 'no panels' };
    },
    async shutdown() {
      await Promise.all([...panels.values()].map((panel) => panel.close()));
      panels.clear();
    },
    snapshot,
    panels: () => panels,
    onFrame(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
