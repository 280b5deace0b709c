export { CELL_HEIGHT, CELL_WIDTH, glyphColumns, hasGlyph, REPLACEMENT } from './font.ts';
export { Framebuffer, MAX_TEXT_SCALE, measureText, PANEL_WIDTH, wrapText, type Color, type Dimensions, type DirtySpan, type PanelHeight } from './framebuffer.ts';
export { Ssd1306Emulator, type AddressingMode, type EmulatorState } from './ssd1306-emulator.ts';
export { Command, commandWrites, CONTROL_COMMANDS, CONTROL_DATA, dataWrites, frameWrites, initCommands, Ssd1306, type I2cTransport, type PanelOptions } from './ssd1306.ts';
export { OledError, type OledErrorCode } from './errors.ts';
export { parsePanelConfig, type PanelConfig } from './link-config.ts';
export { frameAsJson, OLED_DISPLAY, OLED_PROVIDER_NAME, oledDisplayProvider, type FrameJson, Panel, type FrameEvent, type OledDisplayProvider } from './oled-provider.ts';
export { emulatorTransport, I2C_CLOCKS_PER_BYTE, I2C_CLOCKS_PER_WRITE, i2cTransport, timedBus } from './transports.ts';
export { packSnapshot, renderHalfBlocks, renderPng, snapshotPixels } from './renderers.ts';
