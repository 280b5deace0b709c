/** Host side of wasi:config/store (draft): the config of the actor's own links. */

/** What `wasi:config/store` reads from: a fixed map, or the host's live view of the actor's config. */
export type ConfigSource = Readonly<Record<string, string>> | (() => Readonly<Record<string, string>>);

export function configImports(config: ConfigSource): Record<string, Record<string, unknown>> {
  const current = typeof config === 'function' ? config : () => config;
  return {
    'wasi:config/store': {
      get: (key: string) => current()[key],
      getAll: () => Object.entries(current()),
    },
  };
}
