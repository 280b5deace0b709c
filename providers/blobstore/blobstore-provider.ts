import { serving, WitError, type Link, type Provider } from '../../host/index.ts';
import type { BlobBackend, BlobContainer } from './backend.ts';
import { contract, type BlobstoreHandler, type ObjectId } from './contract.ts';
import { BlobError, blobErrorText, tooLarge } from './errors.ts';
import { processIdentity } from './placement.ts';
import { fileBlobBackend } from './file-backend.ts';
import { parseBlobLinkConfig, storeContainerName, type BlobLinkConfig } from './link-config.ts';

/** Opens the blob store at a NATS URL of the lattice. */
export type BlobBackendOpener = (url: string) => Promise<BlobBackend>;

export interface BlobstoreProviderOptions {
  readonly id?: string;
  /** Where `backend=file` links without a `path` keep their containers. */
  readonly fileRoot: string;
  /** How `backend=nats` links reach the lattice's object stores; without it they fail with why. */
  readonly openNats?: BlobBackendOpener;
}

/**
 * The wasi:blobstore provider. Each link's config picks the backend (file, nats) and where it
 * lives, and maps the container names the actor uses to the store's; backends are opened on first
 * use and shared by every link that names the same place. The size limit is the link's, checked
 * here, so one backend serves links with different limits.
 */
export function blobstoreProvider(options: BlobstoreProviderOptions): Provider & { readonly blobstore: BlobstoreHandler } {
  const backends = new Map<string, Promise<BlobBackend>>();

  const openBackend = (config: BlobLinkConfig): Promise<BlobBackend> => {
    if (config.backend === 'file') return fileBlobBackend(config.location, { maxObjectBytes: Number.MAX_SAFE_INTEGER });
    if (!options.openNats) return Promise.reject(new Error('this blobstore provider was started without a way to reach a lattice: start it from badger up'));
    return options.openNats(config.location);
  };

  const backendFor = async (config: BlobLinkConfig): Promise<BlobBackend> => {
    const key = `${config.backend}:${config.location}`;
    let backend = backends.get(key);
    if (!backend) {
      backend = openBackend(config);
      // A failed open (an unreachable server, a directory it may not write) is retried by the next call.
      backend.catch(() => backends.delete(key));
      backends.set(key, backend);
    }
    try {
      return await backend;
    } catch (error) {
      throw new WitError(`cannot open the ${config.backend} blob store at ${config.location}: ${(error as Error).message}`);
    }
  };

  // A link never changes (a new put makes a new one), so its parsed config can be kept with it.
  const configs = new WeakMap<Link, BlobLinkConfig>();
  const configOf = (link: Link): BlobLinkConfig => {
    let config = configs.get(link);
    if (!config) {
      config = parseBlobLinkConfig(link.config, link.source, options.fileRoot);
      configs.set(link, config);
    }
    return config;
  };

  /**
   * Runs `work` on the store, answering the guest in its own names: a BlobError names the store's
   * container (`<actor id>-notes`), which the actor never chose, so the answer is written again here.
   */
  const inStore = async <T>(link: Link, container: string, work: (backend: BlobBackend, config: BlobLinkConfig, storeName: string) => Promise<T>, object?: string): Promise<T> => {
    const config = configOf(link);
    const backend = await backendFor(config);
    try {
      return await work(backend, config, storeContainerName(config, container));
    } catch (error) {
      throw answer(error, container, object);
    }
  };

  /** `work` on one container (which must exist), about `object` when it names one. */
  const inContainer = <T>(link: Link, container: string, work: (container: BlobContainer, config: BlobLinkConfig) => Promise<T>, object?: string): Promise<T> =>
    inStore(link, container, async (backend, config, storeName) => work(await backend.container(storeName), config), object);

  const copy = async (source: ObjectId, destination: ObjectId, link: Link, removeSource: boolean): Promise<void> => {
    const bytes = await inContainer(link, source.container, (container) => container.read(source.object, 0n, BigInt(Number.MAX_SAFE_INTEGER)), source.object);
    // The destination's container must exist; the object in it is replaced.
    await inContainer(link, destination.container, (container) => container.write(destination.object, bytes), destination.object);
    const same = source.container === destination.container && source.object === destination.object;
    if (removeSource && !same) await inContainer(link, source.container, (container) => container.delete(source.object), source.object);
  };

  const blobstore: BlobstoreHandler = {
    async placement(link) {
      const config = configOf(link);
      if (config.backend !== 'file') return undefined;
      return { process: processIdentity(), root: config.location, prefix: config.prefix, containers: Object.fromEntries(config.containers), maxObjectBytes: config.maxObjectBytes };
    },
    createContainer: (name, link) => inStore(link, name, async (backend, _config, storeName) => void (await backend.createContainer(storeName))),
    getContainer: (name, link) => inContainer(link, name, async () => {}),
    deleteContainer: (name, link) => inStore(link, name, (backend, _config, storeName) => backend.deleteContainer(storeName)),
    containerExists: (name, link) => inStore(link, name, (backend, _config, storeName) => backend.containerExists(storeName)),
    copyObject: (source, destination, link) => copy(source, destination, link, false),
    moveObject: (source, destination, link) => copy(source, destination, link, true),
    containerInfo: (name, link) => inContainer(link, name, async (container) => ({ name, createdAt: await container.createdAt() })),
    getData: (name, object, start, end, link) => inContainer(link, name, (container) => container.read(object, start, end), object),
    writeData: (name, object, data, link) =>
      inContainer(link, name, (container, config) => {
        if (data.length > config.maxObjectBytes) throw tooLarge(object, data.length, config.maxObjectBytes);
        return container.write(object, data);
      }, object),
    listObjects: (name, link) => inContainer(link, name, (container) => container.list()),
    deleteObject: (name, object, link) => inContainer(link, name, (container) => container.delete(object)),
    deleteObjects: (name, objects, link) =>
      inContainer(link, name, async (container) => {
        for (const object of objects) await container.delete(object);
      }),
    hasObject: (name, object, link) => inContainer(link, name, (container) => container.has(object)),
    objectInfo: (name, object, link) => inContainer(link, name, async (container) => ({ ...(await container.info(object)), container: name }), object),
    clear: (name, link) => inContainer(link, name, (container) => container.clear()),
  };

  return {
    id: options.id ?? 'blobstore',
    name: 'blob store (file, nats)',
    blobstore,
    serves: [serving(contract, blobstore)],
    // A bad config is refused when the link is put, not at the actor's first call.
    linkPut(link) {
      try {
        configOf(link);
      } catch (error) {
        throw new BlobError('BLOB_BAD_LINK_CONFIG', String((error as WitError).value ?? (error as Error).message), { cause: error });
      }
    },
    health: () => ({ healthy: true, message: `${backends.size} store(s) open` }),
    async shutdown() {
      for (const backend of backends.values()) await (await backend.catch(() => undefined))?.close?.();
      backends.clear();
    },
  };
}

/** The guest's error for a failure in the store, naming the container as the actor does. */
function answer(error: unknown, container: string, object: string | undefined): unknown {
  return error instanceof WitError ? error : new WitError(blobErrorText(error, container, object));
}
