import { describe, expect, it } from 'vitest';
import { capabilitiesOf, featuresToDisable, jsWorldMismatch, parseActorConfig, retargetWasiVersion, worldShapeFromWit } from '../../toolchain/index.ts';

describe('world shape', () => {
  const wit = `package root:component;
world root {
  import wasi:keyvalue/store@0.2.0-draft;
  import wasi:logging/logging@0.1.0-draft;
  import wasi:io/streams@0.2.10;
  import wasi:http/types@0.2.10;
  import wasi:cli/stderr@0.2.10;
  import badger:oled/display@0.1.0;
  export wasi:http/incoming-handler@0.2.10;
  export add: func(a: s32) -> s32;
}`;

  it('reads imports and exports without versions', () => {
    expect(worldShapeFromWit(wit)).toEqual({
      imports: ['wasi:keyvalue/store', 'wasi:logging/logging', 'wasi:io/streams', 'wasi:http/types', 'wasi:cli/stderr', 'badger:oled/display'],
      exports: ['wasi:http/incoming-handler'],
    });
  });

  it('claims the non-ambient imports and the driven exports', () => {
    expect(capabilitiesOf(worldShapeFromWit(wit))).toEqual(['badger:oled/display', 'wasi:http/incoming-handler', 'wasi:keyvalue/store']);
  });

  it('keeps an engine feature only when the world asks for its interfaces', () => {
    expect(featuresToDisable({ imports: [], exports: [] })).toEqual(['stdio', 'random', 'clocks', 'http', 'fetch-event']);
    expect(featuresToDisable({
      imports: ['wasi:random/random', 'wasi:clocks/wall-clock', 'wasi:clocks/monotonic-clock'],
      exports: ['wasi:http/incoming-handler'],
    })).toEqual(['stdio', 'http']);
  });

  it('retargets wasi 0.2 package references to the engine version, and leaves drafts alone', () => {
    const text = 'use wasi:io/poll@0.2.12.{pollable};\npackage wasi:http@0.2.12;\nimport wasi:keyvalue/store@0.2.0-draft;';
    expect(retargetWasiVersion(text, '0.2.10')).toBe('use wasi:io/poll@0.2.10.{pollable};\npackage wasi:http@0.2.10;\nimport wasi:keyvalue/store@0.2.0-draft;');
  });
});

describe('JavaScript against its world', () => {
  const http = { imports: ['wasi:logging/logging'], exports: ['wasi:http/incoming-handler'] };

  it('accepts a fetch listener or an incomingHandler export on StarlingMonkey', () => {
    expect(jsWorldMismatch("addEventListener('fetch', (e) => {})", http, 'starlingmonkey')).toBeUndefined();
    expect(jsWorldMismatch('export const incomingHandler = { handle() {} };', http, 'starlingmonkey')).toBeUndefined();
    expect(jsWorldMismatch('export const x = 1;', http, 'starlingmonkey')).toMatch(/addEventListener/);
  });

  it('refuses WASI worlds and fetch listeners on QuickJS', () => {
    expect(jsWorldMismatch('export function add() {}', { imports: [], exports: [] }, 'quickjs')).toBeUndefined();
    expect(jsWorldMismatch('export const incomingHandler = {};', http, 'quickjs')).toMatch(/wasi:logging\/logging, which the QuickJS backend cannot call/);
    expect(jsWorldMismatch("addEventListener('fetch', f)", { imports: [], exports: ['wasi:http/incoming-handler'] }, 'quickjs')).toMatch(/no fetch event/);
  });
});

describe('actor config', () => {
  it('fills in defaults', () => {
    expect(parseActorConfig({ name: 'a', language: 'typescript', world: 'http-actor' }, 'badger.toml')).toEqual({
      name: 'a', language: 'typescript', world: 'http-actor', source: 'src/index.ts', backend: 'starlingmonkey', extraCapabilities: [], tags: [],
    });
  });

  it.each([
    [{ language: 'wat', world: 'w' }, /name: is required/],
    [{ name: 'a', language: 'rust', world: 'w' }, /language: "rust" is not one of/],
    [{ name: 'a', language: 'typescript', world: 'w', backend: 'v8' }, /backend: "v8" is not one of/],
    [{ name: 'a', language: 'wat', world: 'w', backend: 'quickjs' }, /backend: only JavaScript/],
    [{ name: 'a', language: 'wat', world: 'w', wrld: 'x' }, /wrld: unknown field/],
    [{ name: 'a', language: 'wat', world: 'w', revision: -1 }, /revision: must be a whole number/],
  ])('names the bad field in %j', (document, message) => {
    expect(() => parseActorConfig(document, 'badger.toml')).toThrowError(message);
  });
});
