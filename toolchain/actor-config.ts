import { BuildError } from './errors.ts';

export type ActorLanguage = 'typescript' | 'javascript' | 'wat';
export type JsBackend = 'starlingmonkey' | 'quickjs';

/** An actor project's `badger.toml` / `badger.json`, checked and with defaults filled in. */
export interface ActorConfig {
  readonly name: string;
  readonly language: ActorLanguage;
  /** A world of `badger:actors` (such as `http-kv-actor`), or of the project's own `wit/` folder. */
  readonly world: string;
  /** The entry file, relative to the project folder. */
  readonly source: string;
  readonly version?: string;
  readonly revision?: number;
  readonly backend: JsBackend;
  /** Capabilities to claim beyond those the world implies, such as a legacy contract id. */
  readonly extraCapabilities: readonly string[];
  readonly tags: readonly string[];
  /** Seed files, relative to the project folder; absent means the keys under ~/.badger/keys. */
  readonly issuerKey?: string;
  readonly subjectKey?: string;
}

const FIELDS = ['name', 'language', 'world', 'source', 'version', 'revision', 'backend', 'capabilities', 'tags', 'issuer-key', 'subject-key'];
const DEFAULT_SOURCE: Readonly<Record<ActorLanguage, string>> = {
  typescript: 'src/index.ts',
  javascript: 'src/index.js',
  wat: 'actor.wat',
};

export function parseActorConfig(document: unknown, source: string): ActorConfig {
  const at = (field: string, problem: string) => new BuildError('BUILD_CONFIG_MALFORMED', `${source}: ${field}: ${problem}`);
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw at('(top)', 'must be a table of fields');
  }
  const fields = document as Record<string, unknown>;
  for (const field of Object.keys(fields)) {
    if (!FIELDS.includes(field)) throw at(field, `unknown field; an actor config has ${FIELDS.join(', ')}`);
  }
  const text = (field: string, required: boolean): string | undefined => {
    const value = fields[field];
    if (value === undefined) {
      if (required) throw at(field, 'is required');
      return undefined;
    }
    if (typeof value !== 'string' || value.trim() === '') throw at(field, 'must be a non-empty string');
    return value;
  };
  const list = (field: string): string[] => {
    const value = fields[field] ?? [];
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && item !== '')) {
      throw at(field, 'must be a list of strings');
    }
    return value;
  };

  const name = text('name', true)!;
  const world = text('world', true)!;
  const language = text('language', true)!;
  if (!(language in DEFAULT_SOURCE)) throw at('language', `"${language}" is not one of typescript, javascript, wat`);
  const backend = text('backend', false) ?? 'starlingmonkey';
  if (backend !== 'starlingmonkey' && backend !== 'quickjs') throw at('backend', `"${backend}" is not one of starlingmonkey, quickjs`);
  if (language === 'wat' && fields.backend !== undefined) throw at('backend', 'only JavaScript and TypeScript actors have a backend');
  const revision = fields.revision;
  if (revision !== undefined && (!Number.isInteger(revision) || (revision as number) < 0)) throw at('revision', 'must be a whole number');
  const version = text('version', false);
  const issuerKey = text('issuer-key', false);
  const subjectKey = text('subject-key', false);

  return {
    name,
    language: language as ActorLanguage,
    world,
    source: text('source', false) ?? DEFAULT_SOURCE[language as ActorLanguage],
    ...(version === undefined ? {} : { version }),
    ...(revision === undefined ? {} : { revision: revision as number }),
    backend,
    extraCapabilities: list('capabilities'),
    tags: list('tags'),
    ...(issuerKey === undefined ? {} : { issuerKey }),
    ...(subjectKey === undefined ? {} : { subjectKey }),
  };
}
