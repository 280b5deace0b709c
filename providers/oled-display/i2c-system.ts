import { access, constants, open } from 'node:fs/promises';
import { OledError } from './errors.ts';

/** The calls of an opened i2c-bus the display uses (its promisified API). */
export interface OpenedI2cBus {
  writeQuick(address: number, bit: number): Promise<unknown>;
  receiveByte(address: number): Promise<number>;
  i2cWrite(address: number, length: number, buffer: Buffer): Promise<unknown>;
  close(): Promise<void>;
}

/** What the display needs of the system: its I/O, apart so that each failure can be shown in a test. */
export interface I2cSystem {
  /** Opens the device file for reading and writing, then closes it: a missing bus or a refused user shows here. */
  openDevice(path: string): Promise<void>;
  /** Opens bus `bus` with i2c-bus. */
  openBus(bus: number): Promise<OpenedI2cBus>;
}

/** Whether the optional i2c-bus package loads in this Node, and why not when it does not. */
export type I2cModuleState = { readonly state: 'loads' } | { readonly state: 'missing' } | { readonly state: 'broken'; readonly reason: string };

interface I2cBusModule {
  openPromisified(bus: number): Promise<OpenedI2cBus>;
}

interface LoadedI2cBus {
  readonly module?: I2cBusModule;
  readonly state: I2cModuleState;
}

let loading: Promise<LoadedI2cBus> | undefined;

/** Loads i2c-bus once per process. */
function loadI2cBus(): Promise<LoadedI2cBus> {
  return (loading ??= import('i2c-bus' as string).then(
    (loaded): LoadedI2cBus => ({ module: (loaded as { default: I2cBusModule }).default, state: { state: 'loads' } }),
    (error: NodeJS.ErrnoException): LoadedI2cBus => ({
      state: error.code === 'ERR_MODULE_NOT_FOUND' ? { state: 'missing' } : { state: 'broken', reason: wholeWords(error.message, 400) },
    }),
  ));
}

export async function i2cModuleState(): Promise<I2cModuleState> {
  return (await loadI2cBus()).state;
}

/** This machine, through Node and i2c-bus. */
export const NODE_I2C: I2cSystem = {
  async openDevice(path) {
    await (await open(path, constants.O_RDWR)).close();
  },
  async openBus(bus) {
    const { module, state } = await loadI2cBus();
    if (!module) throw moduleError(state);
    return module.openPromisified(bus);
  },
};

/** Whether a device file may be read and written by this user, without opening it. */
export async function deviceAccess(path: string): Promise<'ok' | 'denied'> {
  return access(path, constants.R_OK | constants.W_OK).then(() => 'ok' as const, () => 'denied' as const);
}

/**
 * Pure: `text` on one line and at most about `max` characters, cut only between words, so that a
 * path or a module name in it is never cut in half.
 */
export function wholeWords(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line.length <= max) return line;
  const cut = line.lastIndexOf(' ', max);
  return `${cut > 0 ? line.slice(0, cut) : line.slice(0, line.indexOf(' ', max) > 0 ? line.indexOf(' ', max) : line.length)} …`;
}

export const REBUILD_HINT = "build it for the project's Node 24 with: npm run rebuild:i2c";

/** Pure: the error for an i2c-bus that does not load, with its fix. */
export function moduleError(state: I2cModuleState): OledError {
  return new OledError(
    'OLED_DEVICE',
    state.state === 'broken'
      ? `the i2c-bus package does not load (${state.reason}); ${REBUILD_HINT}`
      : 'the i2c-bus package is not installed (an optional dependency, built on the Raspberry Pi); run: npm install && npm run rebuild:i2c',
  );
}

const ENABLE_I2C = 'enable I2C with "sudo raspi-config nonint do_i2c 0" (or dtparam=i2c_arm=on in /boot/firmware/config.txt), then reboot';

/** Pure: the error for a device file that does not open, with its fix. */
export function deviceError(device: string, error: NodeJS.ErrnoException): OledError {
  if (error.code === 'ENOENT') return new OledError('OLED_DEVICE', `${device} does not exist: ${ENABLE_I2C}`);
  if (error.code === 'EACCES' || error.code === 'EPERM') {
    return new OledError('OLED_DEVICE', `permission denied on ${device}: add the user to the i2c group ("sudo adduser $USER i2c"), then log in again`);
  }
  return new OledError('OLED_DEVICE', `cannot open ${device}: ${wholeWords(error.message, 300)}`);
}

/** Pure: the error for a panel that did not answer at its address, with what to check. */
export function addressError(device: string, bus: number, address: number, error: NodeJS.ErrnoException, doing: string): OledError {
  const hex = `0x${address.toString(16).toUpperCase()}`;
  if (error.code === 'EREMOTEIO' || error.code === 'ENXIO' || error.code === 'EIO') {
    return new OledError('OLED_DEVICE', `no device answered at ${hex} on ${device}: check the wiring (SDA, SCL, 3.3 V, GND) and the address with "i2cdetect -y ${bus}" (an SSD1306 is at 0x3C or 0x3D)`);
  }
  if (error.code === 'ENOENT' || error.code === 'EACCES' || error.code === 'EPERM') return deviceError(device, error);
  return new OledError('OLED_DEVICE', `${doing} ${hex} on ${device} failed: ${wholeWords(error.message, 300)}`);
}
