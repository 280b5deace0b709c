import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { readManifest } from '../../apps/index.ts';

const EXAMPLE = new URL('../../examples/oled-app.yaml', import.meta.url);

describe('application manifests', () => {
  it('reads the example: actors, providers with their kinds, spreads and one link per interface', async () => {
    const reading = readManifest(await readFile(EXAMPLE, 'utf8'));
    expect(reading.ok).toBe(true);
    if (!reading.ok) return;
    expect(reading.app).toMatchObject({ name: 'oled-app', version: 'v0.1.0' });
    expect(reading.app.components.map((component) => [component.name, component.kind, component.placement.type])).toEqual([
      ['oled-ticker', 'actor', 'spread'],
      ['display', 'provider', 'daemon'],
      ['web', 'provider', 'spread'],
    ]);
    expect(reading.app.components[0]).toMatchObject({ image: 'lattice://oled-ticker:0.1.0', placement: { spread: [{ requirements: { device: 'pi' } }] } });
    expect(reading.app.components[1]).toMatchObject({ providerKind: 'oled-display', placement: { spread: [{ requirements: { device: 'pi' } }] } });
    expect(reading.app.links).toEqual([
      { source: 'oled-ticker', target: 'display', interface: 'badger:oled/display', name: 'default', config: {} },
      { source: 'oled-ticker', target: 'web', interface: 'wasi:http/incoming-handler', name: 'default', config: { address: '0.0.0.0:8080' } },
    ]);
  });

  it('reports every problem with its line and column, in order', () => {
    const text = [
      'apiVersion: core.oam.dev/v1beta1', // 1
      'kind: App', // 2
      'metadata:', // 3
      '  name: Not_Valid', // 4
      'spec:', // 5
      '  components:', // 6
      '    - name: ticker', // 7
      '      type: component', // 8
      '      properties: {}', // 9
      '      traits:', // 10
      '        - type: spreadscaler', // 11
      '          properties:', // 12
      '            instances: 0', // 13
      '        - type: link', // 14
      '          properties:', // 15
      '            target: nowhere', // 16
      '    - name: store', // 17
      '      type: capability', // 18
      '      properties:', // 19
      '        kind: redis', // 20
    ].join('\n');
    const reading = readManifest(text);
    expect(reading.ok).toBe(false);
    if (reading.ok) return;
    expect(reading.problems).toEqual([
      { line: 2, column: 7, message: 'kind must be Application, not "App"' },
      { line: 4, column: 9, message: 'metadata.name must be 1 to 63 lowercase letters, digits or -' },
      { line: 9, column: 19, message: 'an actor component needs properties.image: a path or URL of a signed .wasm, or a reference (oci://…, lattice://name:version)' },
      { line: 13, column: 24, message: 'instances must be a whole number from 1' },
      { line: 16, column: 21, message: 'no component named nowhere in this manifest' },
      { line: 20, column: 15, message: 'a capability\'s kind is one of keyvalue, http-server, oled-display' },
    ]);
  });

  it('reports YAML syntax errors and duplicate names where they are', () => {
    const broken = readManifest('kind: Application\nmetadata: [unclosed\n');
    expect(broken).toEqual({ ok: false, problems: [{ line: 3, column: 1, message: expect.stringMatching(/^Flow sequence in block collection must .* end with a \]/) }] });
    const twice = readManifest(
      'apiVersion: v1\nkind: Application\nmetadata:\n  name: twice\nspec:\n  components:\n    - name: a\n      type: capability\n      properties: {kind: keyvalue}\n    - name: a\n      type: capability\n      properties: {kind: keyvalue}\n',
    );
    expect(twice).toEqual({ ok: false, problems: [{ line: 10, column: 13, message: 'two components are named a' }] });
  });
});
