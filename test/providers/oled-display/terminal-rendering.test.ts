import { describe, expect, it } from 'vitest';
import { Framebuffer, renderHalfBlocks, renderQuadrants, snapshotPixels, packSnapshot, terminalLayout } from '../../../providers/oled-display/index.ts';

describe('the panel in a terminal', () => {
  it('draws full size where 130 columns fit, half size where 66 do, and below that says how wide it must be', () => {
    expect(terminalLayout(128, undefined)).toEqual({ size: 'full' });
    expect(terminalLayout(128, 130)).toEqual({ size: 'full' });
    expect(terminalLayout(128, 80)).toEqual({ size: 'half' });
    expect(terminalLayout(128, 66)).toEqual({ size: 'half' });
    expect(terminalLayout(128, 40)).toEqual({ tooNarrow: 'the terminal is 40 columns wide: the panel needs 66 at half size (130 at full size)' });
  });

  it('at half size puts two by two pixels in each character, so a 128×64 panel fits 64 columns by 32 rows', () => {
    const frame = new Framebuffer(64);
    frame.rectangle(0, 0, 128, 64, false, 'on');
    frame.setPixel(10, 10, 'on');
    const pixels = snapshotPixels(packSnapshot('test', 128, 64, (x, y) => frame.getPixel(x, y)));
    const half = renderQuadrants(pixels);
    expect(half).toHaveLength(32);
    expect(half.every((line) => line.length === 64)).toBe(true);
    // The border's corners, its edges, and the lone pixel at (10, 10): top left of the cell (5, 5).
    expect(half[0]![0]).toBe('▛');
    expect(half[0]![1]).toBe('▀');
    expect(half[31]![63]).toBe('▟');
    expect(half[5]![5]).toBe('▘');
    expect(renderHalfBlocks(pixels)[0]).toHaveLength(128);
  });
});
