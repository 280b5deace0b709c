import { OledError } from './errors.ts';
import type { I2cTransport } from './ssd1306.ts';
import { Ssd1306Emulator } from './ssd1306-emulator.ts';

/** The emulator as a transport: every write is decoded as the chip would. */
export function emulatorTransport(chip: Ssd1306Emulator): I2cTransport {
  return {
    maxWriteBytes: 4096,
    write: async (bytes) => chip.receive(bytes),
  };
}

interface I2cBusModule {
  openPromisified(bus: number): Promise<{ i2cWrite(address: number, length: number, buffer: Buffer): Promise<unknown>; close(): Promise<void> }>;
}

/**
 * A real SSD1306 through `i2c-bus` (an optional dependency, built on the Raspberry Pi). Every way
 * this fails on a machine that is not set up is turned into an error that names the fix.
 */
export async function i2cTransport(bus: number, address: number, maxWriteBytes: number): Promise<I2cTransport & { close(): Promise<void> }> {
  let i2c: I2cBusModule;
  try {
    i2c = ((await import('i2c-bus' as string)) as { default: I2cBusModule }).default;
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND';
    throw new OledError(
      'OLED_DEVICE',
      missing
        ? 'the i2c-bus package is not installed (an optional dependency, built on the Raspberry Pi); run: npm install && npm run rebuild:i2c'
        : `the i2c-bus package does not load (${(error as Error).message.replace(/\s+/g, ' ').slice(0, 240)}); build it for the project's Node 24 with: npm run rebuild:i2c`,
    );
  }
  const device = `/dev/i2c-${bus}`;
  const opened = await i2c.openPromisified(bus).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new OledError('OLED_DEVICE', `${device} does not exist: enable I2C with "sudo raspi-config" (Interface Options, I2C), then reboot`);
    if (error.code === 'EACCES' || error.code === 'EPERM') {
      throw new OledError('OLED_DEVICE', `permission denied on ${device}: add the user to the i2c group ("sudo adduser $USER i2c"), then log in again`);
    }
    throw new OledError('OLED_DEVICE', `cannot open ${device}: ${error.message}`);
  });
  const hex = `0x${address.toString(16).toUpperCase()}`;
  return {
    maxWriteBytes,
    write: async (bytes) => {
      try {
        await opened.i2cWrite(address, bytes.length, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EREMOTEIO' || code === 'ENXIO' || code === 'EIO') {
          throw new OledError('OLED_DEVICE', `no device answered at ${hex} on ${device}: check the wiring and the address with "i2cdetect -y ${bus}"`);
        }
        throw new OledError('OLED_DEVICE', `writing to ${hex} on ${device} failed: ${(error as Error).message}`);
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
