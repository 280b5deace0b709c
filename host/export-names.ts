/**
 * How `badger call` and the control interface name an actor's export: `run`, `tool.list-keys` (as
 * WIT spells it), `tool.listKeys` (as jco does), or fully qualified as wasmCloud and WIT write it,
 * `ns:pkg/iface.func` or `ns:pkg/iface@1.2.3.func`. Pure.
 */

// A qualified name: package, interface, an optional version (which may hold dots), then the function.
const QUALIFIED = /^[a-z][a-z0-9-]*:[a-z][a-z0-9-]*(?:\/[a-z][a-z0-9-]*)*\/([a-z][a-z0-9-]*)(?:@[0-9A-Za-z.+-]+?)?\.([a-z][A-Za-z0-9-]*)$/;

const camelCase = (kebab: string) => kebab.replace(/-([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());

/** The path to the export in jco's instance: `['tool', 'listKeys']`. jco names an interface by its last segment. */
export function exportPath(name: string): string[] {
  const qualified = QUALIFIED.exec(name);
  const segments = qualified ? [qualified[1]!, qualified[2]!] : name.split('.');
  return segments.map(camelCase);
}
