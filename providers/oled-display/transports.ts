import { OledError } from './errors.ts';
import { addressError, deviceError, NODE_I2C, type I2cSystem } from './i2c-system.ts';
import type { I2cTransport } from './ssd1306.ts';
import { Ssd1306Emulator } from './ssd1306-emulator.ts';

/** The emulator as a transport: every write is decoded as the chip would. */
export function emulatorTransport(chip: Ssd1306Emulator): I2cTransport {
  return {
    maxWriteBytes: 4096,
    write: async (bytes) => chip.receive(bytes),
  };
}

/** The quick-write answers of an adapter that has no SMBus quick command. */
const NO_QUICK_WRITE = new Set(['EOPNOTSUPP', 'ENOTSUP', 'EINVAL']);

/**
 * A real SSD1306 through `i2c-bus` (an optional dependency, built on the Raspberry Pi), opened and
 * probed now, when the link is put, rather than at the first frame: i2c-bus opens the device only
 * at the first transfer. Every way this fails on a machine that is not set up is turned into an
 * error that names the fix.
 */
export async function i2cTransport(bus: number, address: number, maxWriteBytes: number, system: I2cSystem = NODE_I2C): Promise<I2cTransport & { close(): Promise<void> }> {
  const device = `/dev/i2c-${bus}`;
  await system.openDevice(device).catch((error: NodeJS.ErrnoException) => {
    throw deviceError(device, error);
  });
  const opened = await system.openBus(bus).catch((error: NodeJS.ErrnoException) => {
    throw error instanceof OledError ? error : deviceError(device, error);
  });
  try {
    // As i2cdetect asks: the address alone (a quick write), or one byte read where the adapter cannot.
    await opened.writeQuick(address, 0).catch(async (error: NodeJS.ErrnoException) => {
      if (!NO_QUICK_WRITE.has(error.code ?? '')) throw error;
      await opened.receiveByte(address);
    });
  } catch (error) {
    await opened.close().catch(() => undefined);
    throw addressError(device, bus, address, error as NodeJS.ErrnoException, 'probing');
  }
  return {
    maxWriteBytes,
    write: async (bytes) => {
      try {
        await opened.i2cWrite(address, bytes.length, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
      } catch (error) {
        throw addressError(device, bus, address, error as NodeJS.ErrnoException, 'writing to');
      }
    },
    close: () => opened.close(),
  };
}

/** Clock cycles an I2C byte takes: eight bits and the acknowledge. */
export const I2C_CLOCKS_PER_BYTE = 9;
/** A write's own cost on the bus: start, the address byte with its acknowledge, stop. */
export const I2C_CLOCKS_PER_WRITE = 2 + I2C_CLOCKS_PER_BYTE;

/**
 * A transport that keeps the time a real I2C bus at `hertz` would have spent on every write
 * (`busSeconds`), without waiting for it: the benchmark adds it to the time the CPU took.
 */
export function timedBus(inner: I2cTransport, hertz: number): I2cTransport & { readonly busSeconds: number } {
  let clocks = 0;
  return {
    maxWriteBytes: inner.maxWriteBytes,
    write: (bytes) => {
      clocks += I2C_CLOCKS_PER_WRITE + bytes.length * I2C_CLOCKS_PER_BYTE;
      return inner.write(bytes);
    },
    get busSeconds() {
      return clocks / hertz;
    },
  };
}
