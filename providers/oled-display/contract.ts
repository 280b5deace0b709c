// The guest side runs in every actor thread that imports the display: types only from the host.
import type { Contract, Link, RoutedCall } from '../../host/index.ts';

const DISPLAY = 'badger:oled/display';

export type DisplayColor = 'off' | 'on' | 'toggle';
export type DisplayError = { tag: 'not-linked' } | { tag: 'invalid-argument'; val: string } | { tag: 'device'; val: string };

/** What a display provider implements, one method per `badger:oled/display` function. */
export interface DisplayHandler {
  size(link: Link): Promise<{ width: number; height: number }>;
  clear(color: DisplayColor, link: Link): Promise<void>;
  setPixel(x: number, y: number, color: DisplayColor, link: Link): Promise<void>;
  line(x0: number, y0: number, x1: number, y1: number, color: DisplayColor, link: Link): Promise<void>;
  rectangle(x: number, y: number, width: number, height: number, filled: boolean, color: DisplayColor, link: Link): Promise<void>;
  text(x: number, y: number, text: string, scale: number, color: DisplayColor, link: Link): Promise<{ width: number; height: number }>;
  measureText(text: string, scale: number, link: Link): Promise<{ width: number; height: number }>;
  blit(x: number, y: number, width: number, height: number, bits: Uint8Array, color: DisplayColor, link: Link): Promise<void>;
  setInverted(inverted: boolean, link: Link): Promise<void>;
  setContrast(level: number, link: Link): Promise<void>;
  setPower(on: boolean, link: Link): Promise<void>;
  flush(link: Link): Promise<void>;
}

/** WIT names of the interface's functions, with jco's names for the guest side. */
const FUNCTIONS = {
  size: 'size',
  clear: 'clear',
  'set-pixel': 'setPixel',
  line: 'line',
  rectangle: 'rectangle',
  text: 'text',
  'measure-text': 'measureText',
  blit: 'blit',
  'set-inverted': 'setInverted',
  'set-contrast': 'setContrast',
  'set-power': 'setPower',
  flush: 'flush',
} as const satisfies Record<string, keyof DisplayHandler>;

type WitFunction = keyof typeof FUNCTIONS;

export const contract: Contract<DisplayHandler> = {
  module: import.meta.url,
  package: 'badger:oled',
  versions: '0.1.0',
  interfaces: [DISPLAY],
  // Routed calls block the actor's thread while the host runs them: nothing here suspends.
  asyncImports: [],

  guestImports(call: RoutedCall) {
    return {
      [DISPLAY]: Object.fromEntries(Object.entries(FUNCTIONS).map(([wit, js]) => [js, (...args: unknown[]) => call(DISPLAY, wit, args)])),
    };
  },

  dispatch(handler, iface, operation, args, link) {
    const method = Object.hasOwn(FUNCTIONS, operation) ? FUNCTIONS[operation as WitFunction] : undefined;
    if (iface !== DISPLAY || !method) return undefined;
    return (handler[method] as (...rest: unknown[]) => Promise<unknown>)(...args, link);
  },

  notLinked: () => ({ tag: 'not-linked' }) satisfies DisplayError,
  failed: (message) => ({ tag: 'device', val: message }) satisfies DisplayError,
  noSuchFunction: (message) => ({ tag: 'invalid-argument', val: message }) satisfies DisplayError,
};
