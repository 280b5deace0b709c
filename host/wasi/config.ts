/** Host side of wasi:config (draft): the config of the actor's own links. */

/** What `wasi:config` reads from: a fixed map, or the host's live view of the actor's config. */
export type ConfigSource = Readonly<Record<string, string>> | (() => Readonly<Record<string, string>>);

export function configImports(config: ConfigSource): Record<string, Record<string, unknown>> {
  const current = typeof config === 'function' ? config : () => config;
  const store = {
    get: (key: string) => current()[key],
    getAll: () => Object.entries(current()),
  };
  // `runtime` is the interface's name in 0.2.0-draft, which older wasmCloud components import;
  // its functions are the same.
  return { 'wasi:config/store': store, 'wasi:config/runtime': store };
}
