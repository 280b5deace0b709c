import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ApplicationState, ApplicationStatus } from '../host/index.ts';
import { latticeKv, NoJetStreamError, type KV, type KvOptions, type NatsConnection } from '../host/lattice/index.ts';
import { AppError } from './errors.ts';
import type { AppSpec } from './manifest.ts';

/** A deployed application: its manifest as given, read, and whether it is to run or to be taken away. */
export interface StoredApp {
  readonly app: AppSpec;
  readonly manifest: string;
  readonly deployed: boolean;
  readonly deployedAt: string;
}

/** The application's state and status as the host's control interface carries them. */
export type AppState = ApplicationState;
export type AppStatus = ApplicationStatus;

/** Where deployed manifests and their status live: a NATS KV bucket on a lattice, files otherwise. */
export interface AppStore {
  put(app: StoredApp): Promise<void>;
  get(name: string): Promise<StoredApp | undefined>;
  list(): Promise<StoredApp[]>;
  remove(name: string): Promise<void>;
  putStatus(status: AppStatus): Promise<void>;
  getStatus(name: string): Promise<AppStatus | undefined>;
}

/** Embedded mode: one JSON file per application and per status, written whole and renamed into place. */
export function fileAppStore(directory: string): AppStore {
  const path = (name: string, what: 'app' | 'status') => join(directory, `${name}.${what}.json`);
  const write = async (file: string, value: unknown) => {
    await mkdir(directory, { recursive: true, mode: 0o700 });
    await writeFile(`${file}.tmp`, JSON.stringify(value), { mode: 0o600 });
    await rename(`${file}.tmp`, file);
  };
  const read = async <T>(file: string): Promise<T | undefined> => {
    try {
      return JSON.parse(await readFile(file, 'utf8')) as T;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  };
  return {
    put: (app) => write(path(app.app.name, 'app'), app),
    get: (name) => read<StoredApp>(path(name, 'app')),
    async list() {
      const files = await readdir(directory).catch(() => [] as string[]);
      const apps = await Promise.all(files.filter((file) => file.endsWith('.app.json')).map((file) => read<StoredApp>(join(directory, file))));
      return apps.filter((app): app is StoredApp => app !== undefined);
    },
    async remove(name) {
      await rm(path(name, 'app'), { force: true });
      await rm(path(name, 'status'), { force: true });
    },
    putStatus: (status) => write(path(status.name, 'status'), status),
    getStatus: (name) => read<AppStatus>(path(name, 'status')),
  };
}

export const appBucket = (lattice: string) => `badger_apps_${lattice}`;
const leaseBucket = (lattice: string) => `${appBucket(lattice)}_leader`;

/** The lattice's bucket, with a lattice that has no JetStream said in the application's terms. */
function storeKv(connection: NatsConnection, bucket: string, options: Partial<KvOptions> = {}): () => Promise<KV> {
  const kv = latticeKv(connection, bucket, options);
  return () =>
    kv().catch((error: unknown) => {
      throw error instanceof NoJetStreamError ? new AppError('APP_STORE_UNAVAILABLE', 'the lattice has no JetStream to keep applications in: run its NATS server with -js, or use badger nats hub') : error;
    });
}

/** Where the lattice's own state is kept: `replicas` copies when this makes its bucket; a bucket with another count is refused. */
export interface LatticeStateCopies {
  readonly replicas?: number;
}

/**
 * Makes the lattice's application bucket and lease bucket in `copies.replicas` copies, or checks
 * the count of those that exist: a host asked for copies it cannot have stops at its start, rather
 * than the reconciler failing on every round.
 */
export async function prepareAppState(connection: NatsConnection, lattice: string, leaseTtlMs: number, copies: LatticeStateCopies): Promise<void> {
  await storeKv(connection, appBucket(lattice), copies)();
  await storeKv(connection, leaseBucket(lattice), { ttl: leaseTtlMs, ...copies })();
}

/** On a lattice: a JetStream KV bucket, so that every host and CLI sees the same applications. */
export function natsAppStore(connection: NatsConnection, lattice: string, copies: LatticeStateCopies = {}): AppStore {
  const kv = storeKv(connection, appBucket(lattice), copies);
  const read = async <T>(key: string): Promise<T | undefined> => {
    const entry = await (await kv()).get(key);
    return entry && entry.operation === 'PUT' && entry.value.length > 0 ? (entry.json() as T) : undefined;
  };
  return {
    put: async (app) => void (await (await kv()).put(`app.${app.app.name}`, JSON.stringify(app))),
    get: (name) => read<StoredApp>(`app.${name}`),
    async list() {
      const store = await kv();
      const names: string[] = [];
      for await (const key of await store.keys('app.*')) names.push(key);
      const apps = await Promise.all(names.map((key) => read<StoredApp>(key)));
      return apps.filter((app): app is StoredApp => app !== undefined);
    },
    async remove(name) {
      const store = await kv();
      await store.delete(`app.${name}`);
      await store.delete(`status.${name}`);
    },
    putStatus: async (status) => void (await (await kv()).put(`status.${status.name}`, JSON.stringify(status))),
    getStatus: (name) => read<AppStatus>(`status.${name}`),
  };
}

/**
 * One reconciler acts for a lattice at a time: the host that holds this lease, a KV key that
 * expires `ttlMs` after its holder last renewed it, so a host that dies hands over by itself.
 */
export function natsLeaderLease(connection: NatsConnection, lattice: string, holder: string, ttlMs: number, copies: LatticeStateCopies = {}): { held(): Promise<boolean> } {
  const kv = storeKv(connection, leaseBucket(lattice), { ttl: ttlMs, ...copies });
  return {
    async held() {
      const store = await kv();
      const entry = await store.get('leader');
      try {
        if (!entry || entry.operation !== 'PUT') {
          await store.create('leader', holder);
          return true;
        }
        if (entry.string() !== holder) return false;
        await store.update('leader', holder, entry.revision);
        return true;
      } catch {
        // Another host took it first, or renewed under us: it is theirs this round.
        return false;
      }
    },
  };
}
