import type { ProviderDescriptor } from '../../host/index.ts';
import { contract } from './contract.ts';
import { frameAsJson, oledDisplayProvider } from './oled-provider.ts';

export const oledDisplayDescriptor: ProviderDescriptor = {
  name: 'oled-display',
  summary: 'badger:oled/display on an SSD1306 over I2C, or on an emulated panel',
  contracts: [contract],
  linkConfig: [
    { key: 'driver', meaning: 'emulator (shown by badger oled watch) or i2c (a real SSD1306)', default: 'emulator' },
    { key: 'panel', meaning: 'names an emulated panel: links with the same one share it', default: 'default' },
    { key: 'bus', meaning: 'the I2C bus number: /dev/i2c-N', default: '1' },
    { key: 'address', meaning: '0x3C or 0x3D', default: '0x3C' },
    { key: 'height', meaning: '64 or 32 rows', default: '64' },
    { key: 'rotate', meaning: '0 or 180', default: '0' },
    { key: 'contrast', meaning: '0 to 255', default: '127' },
    { key: 'max-write-bytes', meaning: "the I2C adapter's limit per write", default: '1024' },
  ],
  services: { snapshot: 'what a panel shows: {panel?} → {panel, width, height, bits}' },
  create(context) {
    const display = oledDisplayProvider(context.id ? { id: context.id } : {});
    // Each flushed frame is an event, for `badger oled watch` and the dashboard.
    display.onFrame((frame) => context.publish('oled_frame', frameAsJson(display.id, frame)));
    return display;
  },
};
