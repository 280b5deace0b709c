import { describe, expect, it } from 'vitest';
import { i2cModuleState, NODE_I2C, wholeWords, type I2cSystem, type OpenedI2cBus } from '../../../providers/oled-display/i2c-system.ts';
import { i2cTransport } from '../../../providers/oled-display/transports.ts';

const failure = (code: string, message = `${code}: failed`) => Object.assign(new Error(message), { code });

/** A bus that records what it is sent, and fails the calls it is told to. */
function fakeBus(fails: { quick?: string; receive?: string; write?: string } = {}) {
  const calls: string[] = [];
  const bus: OpenedI2cBus = {
    writeQuick: async (address) => {
      calls.push(`quick ${address}`);
      if (fails.quick) throw failure(fails.quick);
    },
    receiveByte: async (address) => {
      calls.push(`receive ${address}`);
      if (fails.receive) throw failure(fails.receive);
      return 0x43;
    },
    i2cWrite: async (address, length) => {
      calls.push(`write ${address} ${length}`);
      if (fails.write) throw failure(fails.write);
    },
    close: async () => {
      calls.push('close');
    },
  };
  return { bus, calls };
}

const system = (bus: OpenedI2cBus, openDevice: I2cSystem['openDevice'] = async () => undefined): I2cSystem => ({ openDevice, openBus: async () => bus });

describe('the I2C transport, which opens and probes the panel when a link is put', () => {
  it('names raspi-config and dtparam when the bus device does not exist (a real device path)', async () => {
    await expect(i2cTransport(97, 0x3c, 1024)).rejects.toMatchObject({
      code: 'OLED_DEVICE',
      message: expect.stringMatching(/^\/dev\/i2c-97 does not exist: enable I2C with "sudo raspi-config nonint do_i2c 0" \(or dtparam=i2c_arm=on/),
    });
  });

  it('names the i2c group when the device is not the user\'s to open', async () => {
    const { bus } = fakeBus();
    await expect(i2cTransport(1, 0x3c, 1024, system(bus, async () => Promise.reject(failure('EACCES'))))).rejects.toMatchObject({
      code: 'OLED_DEVICE',
      message: expect.stringContaining('permission denied on /dev/i2c-1: add the user to the i2c group ("sudo adduser $USER i2c")'),
    });
  });

  it('names the wiring, the address and i2cdetect when nothing answers at the address, and lets the bus go', async () => {
    const { bus, calls } = fakeBus({ quick: 'EREMOTEIO' });
    await expect(i2cTransport(1, 0x3d, 1024, system(bus))).rejects.toMatchObject({
      code: 'OLED_DEVICE',
      message: expect.stringContaining('no device answered at 0x3D on /dev/i2c-1: check the wiring (SDA, SCL, 3.3 V, GND) and the address with "i2cdetect -y 1"'),
    });
    expect(calls).toEqual(['quick 61', 'close']);
  });

  it('probes with a one-byte read where the adapter has no quick write, then sends the frames', async () => {
    const { bus, calls } = fakeBus({ quick: 'EOPNOTSUPP' });
    const transport = await i2cTransport(1, 0x3c, 1024, system(bus));
    await transport.write(new Uint8Array([0x00, 0xaf]));
    expect(calls).toEqual(['quick 60', 'receive 60', 'write 60 2']);
  });

  it('turns a write that loses the panel later into the wiring hint', async () => {
    const { bus } = fakeBus({ write: 'EIO' });
    const transport = await i2cTransport(1, 0x3c, 1024, system(bus));
    await expect(transport.write(new Uint8Array([0x40, 1]))).rejects.toMatchObject({ code: 'OLED_DEVICE', message: expect.stringContaining('no device answered at 0x3C on /dev/i2c-1') });
  });

  it('with the real i2c-bus: a bus whose device is missing gets the raspi-config fix when i2c-bus loads, the rebuild otherwise', async () => {
    // The device check is passed by, so that the module itself meets the missing device: i2c-bus
    // opens /dev/i2c-N only at the first transfer, which is why the transport probes at once.
    const transport = i2cTransport(97, 0x3c, 1024, { openDevice: async () => undefined, openBus: NODE_I2C.openBus });
    const state = await i2cModuleState();
    const expected = state.state === 'loads' ? /^\/dev\/i2c-97 does not exist: enable I2C/ : /npm (install && npm )?run rebuild:i2c/;
    await expect(transport).rejects.toMatchObject({ code: 'OLED_DEVICE', message: expect.stringMatching(expected) });
  });
});

describe('an error text made short', () => {
  it('is cut between words, never inside a path', () => {
    const path = '/home/pi/awesome-badger/node_modules/i2c-bus/build/Release/i2c.node';
    const said = `The module '${path}'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 115.`;
    for (let max = 10; max < said.length; max += 7) {
      const short = wholeWords(said, max);
      expect(short.includes('/home') ? short.includes(path) : true, short).toBe(true);
      expect(short).not.toContain('\n');
    }
    expect(wholeWords(said, 1000)).toBe(said.replace(/\n/g, ' '));
  });
});
