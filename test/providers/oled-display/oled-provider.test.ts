import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaimsToken, readTopLevelToken } from '../../../claims/index.ts';
import { defaultPolicy, Host, type ActorSummary } from '../../../host/index.ts';
import { HTTP_INCOMING_HANDLER, httpServerProvider } from '../../../providers/http-server/index.ts';
import { OLED_DISPLAY, oledDisplayProvider, type FrameEvent } from '../../../providers/oled-display/index.ts';
import { tickerFrame } from '../../fixtures/oled-ticker-frame.ts';
import { builtActor } from '../../actors/built-actors.ts';

let host: Host;
let oled: ReturnType<typeof oledDisplayProvider>;
let ticker: ActorSummary;
let url: string;
const frames: FrameEvent[] = [];

beforeAll(async () => {
  const work = await mkdtemp(join(tmpdir(), 'badger-oled-'));
  const issuer = decodeClaimsToken(readTopLevelToken(await readFile(builtActor('oled-ticker')))!).iss;
  host = new Host({ cacheDir: join(work, 'cache'), policy: defaultPolicy([issuer]), logger: pino({ level: 'silent' }) });
  const http = httpServerProvider();
  oled = oledDisplayProvider();
  oled.onFrame((frame) => frames.push(frame));
  await host.startProvider(http);
  await host.startProvider(oled);
  ticker = await host.startActor(builtActor('oled-ticker'));
  await host.putLink({ source: ticker.id, interface: OLED_DISPLAY, target: oled.id });
  await host.putLink({ source: ticker.id, interface: HTTP_INCOMING_HANDLER, target: http.id, config: { address: '127.0.0.1:0' } });
  url = `http://${http.addresses()[0]!.address}/`;
}, 60_000);

afterAll(async () => {
  await host?.shutdown();
});

describe('the OLED display provider', () => {
  it('shows what oled-ticker draws, pixel for pixel, on the emulated panel', async () => {
    const response = await fetch(url, { method: 'POST', body: 'Hi there' });
    expect(response.status).toBe(200);
    const { scale } = (await response.json()) as { scale: number };

    const expected = tickerFrame('Hi there', scale);
    const chip = oled.panels().get('default')!.emulator!;
    let lit = 0;
    for (let y = 0; y < 64; y++) {
      for (let x = 0; x < 128; x++) {
        expect.soft(chip.pixel(x, y), `pixel (${x}, ${y})`).toBe(expected.getPixel(x, y));
        if (chip.pixel(x, y)) lit++;
      }
    }
    expect(lit).toBeGreaterThan(2 * 128);
    expect(chip.unknownCommands.size).toBe(0);
    // The flush was published for watchers, with the frame the chip got.
    expect(frames.at(-1)).toMatchObject({ panel: 'default', width: 128, height: 64 });
    expect(frames.at(-1)!.bytes).toEqual(chip.ram);
    // Its health names the panel, and would name any command the chip did not know.
    expect((await host.providerHealth())[oled.id]).toEqual({ healthy: true, message: 'default (emulator, 128×64)' });
  });

  it('answers bad arguments with the WIT error, and the actor lives on', async () => {
    const response = await fetch(url, { method: 'POST', body: '' });
    expect(response.status).toBe(400);
    expect((await fetch(url, { method: 'POST', body: 'ok' })).status).toBe(200);
  });

  it('refuses an I2C panel it cannot reach with the fix in the message, reports itself unhealthy, and the host lives', async () => {
    const attempt = host.putLink({ source: ticker.id, interface: OLED_DISPLAY, name: 'pi', target: oled.id, config: { driver: 'i2c', bus: '1' } });
    // The device is opened first, so this machine's answer is the same whether i2c-bus is built or not.
    await expect(attempt).rejects.toMatchObject({ code: 'OLED_DEVICE', message: expect.stringMatching(/^\/dev\/i2c-1 does not exist: enable I2C with "sudo raspi-config/) });
    expect(await host.providerHealth()).toMatchObject({ [oled.id]: { healthy: false, message: expect.stringContaining('i2c-1@0x3c') } });
    expect(host.links.query({ source: ticker.id, interface: OLED_DISPLAY }).map((link) => link.name)).toEqual(['default']);
    expect((await fetch(url, { method: 'POST', body: 'still' })).status).toBe(200);
    await expect(host.putLink({ source: ticker.id, interface: OLED_DISPLAY, name: 'bad', target: oled.id, config: { height: '48' } })).rejects.toMatchObject({
      code: 'OLED_BAD_LINK_CONFIG',
    });
  });
});
