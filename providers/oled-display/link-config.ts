import { OledError } from './errors.ts';
import type { PanelHeight } from './framebuffer.ts';

/** Where a link's display is and how it is mounted, checked and with defaults. */
export interface PanelConfig {
  /** `emulator` (default: anywhere, shown by `badger oled watch`) or `i2c` (a real SSD1306). */
  readonly driver: 'emulator' | 'i2c';
  /** Names the panel: links with the same one share it. */
  readonly id: string;
  readonly bus: number;
  readonly address: number;
  readonly height: PanelHeight;
  readonly rotate180: boolean;
  readonly contrast: number;
  readonly maxWriteBytes: number;
}

const KNOWN_KEYS = new Set(['driver', 'panel', 'bus', 'address', 'height', 'rotate', 'contrast', 'max-write-bytes']);

/**
 * Reads a display link's config: `driver=emulator|i2c`, `panel=NAME` (emulator; default
 * "default"), `bus=N` (default 1, /dev/i2c-1), `address=0x3C|0x3D`, `height=64|32`, `rotate=0|180`,
 * `contrast=0-255`, `max-write-bytes` (the I2C adapter's limit per write, default 1024). Each bad
 * value is named with its key; unknown keys are refused.
 */
export function parsePanelConfig(config: Readonly<Record<string, string>>): PanelConfig {
  const unknown = Object.keys(config).filter((key) => !KNOWN_KEYS.has(key));
  if (unknown.length > 0) throw bad(`unknown link config ${unknown.join(', ')}; known: ${[...KNOWN_KEYS].join(', ')}`);
  const driver = config.driver ?? 'emulator';
  if (driver !== 'emulator' && driver !== 'i2c') throw bad(`driver="${driver}": use emulator or i2c`);
  const bus = integer(config, 'bus', 1, 0, 255);
  const address = integer(config, 'address', 0x3c, 0x03, 0x77);
  if (address !== 0x3c && address !== 0x3d) throw bad(`address="${config.address}": an SSD1306 answers at 0x3C or 0x3D`);
  const height = integer(config, 'height', 64, 32, 64);
  if (height !== 64 && height !== 32) throw bad(`height="${config.height}": 64 or 32 rows`);
  const rotate = integer(config, 'rotate', 0, 0, 180);
  if (rotate !== 0 && rotate !== 180) throw bad(`rotate="${config.rotate}": 0 or 180`);
  return {
    driver,
    id: driver === 'i2c' ? `i2c-${bus}@0x${address.toString(16)}` : (config.panel ?? 'default'),
    bus,
    address,
    height,
    rotate180: rotate === 180,
    contrast: integer(config, 'contrast', 0x7f, 0, 255),
    maxWriteBytes: integer(config, 'max-write-bytes', 1024, 8, 65536),
  };
}

function integer(config: Readonly<Record<string, string>>, key: string, fallback: number, min: number, max: number): number {
  const text = config[key];
  if (text === undefined) return fallback;
  const value = /^0x[0-9a-f]+$/i.test(text) ? Number.parseInt(text, 16) : /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(value) || value < min || value > max) throw bad(`${key}="${text}" is not a whole number from ${min} to ${max}`);
  return value;
}

function bad(message: string): OledError {
  return new OledError('OLED_BAD_LINK_CONFIG', `display link config: ${message}`);
}
