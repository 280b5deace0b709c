import { Panel, parsePanelConfig, timedBus, wrapText, type I2cTransport } from '../providers/oled-display/index.ts';
import { report } from './report.ts';

const I2C_HZ = 400_000;
const FRAMES = 400;

/**
 * Frames per second on an emulated panel behind a simulated 400 kHz I2C bus: each frame costs the
 * CPU time it took (drawing, the driver, the emulator decoding it) plus the time its bytes would
 * hold the bus. The baseline is the bus alone: how many such frames per second 400 kHz carries.
 */
async function measure(change: (panel: Panel, frame: number) => void): Promise<{ fps: number; limitFps: number; bytesPerFrame: number }> {
  let bus!: ReturnType<typeof timedBus>;
  const panel = await Panel.open(parsePanelConfig({}), () => {}, (transport: I2cTransport) => (bus = timedBus(transport, I2C_HZ)));
  const bytesBefore = panel.bytesSent;
  const busBefore = bus.busSeconds;
  const started = performance.now();
  for (let frame = 0; frame < FRAMES; frame++) {
    change(panel, frame);
    await panel.flush();
  }
  const cpuSeconds = (performance.now() - started) / 1000;
  const busSeconds = bus.busSeconds - busBefore;
  return { fps: FRAMES / (cpuSeconds + busSeconds), limitFps: FRAMES / busSeconds, bytesPerFrame: (panel.bytesSent - bytesBefore) / FRAMES };
}

const LOREM = 'The quick brown fox jumps over the lazy dog while a badger reads it on a tiny screen';

export async function oledScenario(): Promise<void> {
  // Every byte changes: the panel alternates between dark text on light and light text on dark.
  const full = await measure((panel, frame) => {
    panel.frame.clear(frame % 2 === 0 ? 'on' : 'off');
    wrapText(LOREM, 128, 1).forEach((line, row) => panel.frame.text(0, row * 8, line, 1, frame % 2 === 0 ? 'off' : 'on'));
  });
  // A clock line: one 8-pixel row of text changes.
  const line = await measure((panel, frame) => {
    panel.frame.rectangle(0, 56, 128, 8, true, 'off');
    panel.frame.text(0, 56, `frame ${String(frame).padStart(6, '0')}`, 1, 'on');
  });
  report('oled', 'full-redraw-fps', full.fps, full.limitFps, { op: '>=', target: 0.9, on: 'ratio' });
  report('oled', 'full-redraw-bytes-per-frame', full.bytesPerFrame, 1024);
  report('oled', 'line-change-fps', line.fps, line.limitFps, { op: '>=', target: 0.9, on: 'ratio' });
  report('oled', 'line-change-bytes-per-frame', line.bytesPerFrame, full.bytesPerFrame);
}
