import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { ArtifactPuller, DEFAULT_MAX_ARTIFACT_BYTES, ensureBadgerHome, HostError, readArtifact, type LatticeArtifacts } from '../host/index.ts';
import { isLatticeReference, parseLatticeReference } from '../host/artifacts/lattice-reference.ts';
import { pushComponent } from '../host/artifacts/oci-components.ts';
import { isOciReference, parseOciReference } from '../host/artifacts/oci-reference.ts';
import { registryCredentials } from '../host/artifacts/registry-credentials.ts';
import { checkLatticeName, latticeArtifactStore, type LatticeError } from '../host/lattice/index.ts';
import { defaultLattice, defaultNats } from './config-file.ts';
import { CliError } from './errors.ts';
import { onceConnected, withCredentialOptions, type CredentialOptions } from './lattice-options.ts';
import { replicaCount } from './options.ts';
import { emit, note } from './output.ts';
import { byteProgress, withProgress } from './progress.ts';
import { table } from './table.ts';

interface RegistryOptions {
  user?: string;
  password?: string;
  insecure?: boolean;
}

interface StoreOptions extends CredentialOptions {
  nats?: string;
  lattice: string;
  replicas?: string;
}

const withRegistryOptions = (command: Command) =>
  command
    .option('--user <name>', 'the registry user (else BADGER_REGISTRY_USER, else docker login\'s ~/.docker/config.json)')
    .option('--password <secret>', 'the registry password or token (else BADGER_REGISTRY_PASSWORD)')
    .option('--insecure', 'plain HTTP to a registry that is not on loopback (anyone on the way can change the bytes until their digest is checked)');

const withStoreOptions = (command: Command) =>
  withCredentialOptions(command)
    .option('--nats <url>', "the lattice's NATS server, for name:version (a leaf reaches the hub's store); default: nats in ~/.badger/config.yaml", defaultNats())
    .option('--lattice <name>', 'the lattice whose store it is', defaultLattice());

/** How long a command waits for a leaf that has just started to link to its hub's JetStream. */
const LEAF_LINK_WAIT_MS = 5000;

/** Runs `use` on the lattice store the options name. */
function onStore<T>(options: StoreOptions, use: (store: LatticeArtifacts) => Promise<T>): Promise<T> {
  const servers = options.nats;
  if (!servers) throw new CliError('CLI_BAD_ARGUMENT', "the lattice's artifact store is on NATS: give --nats nats://host:4222 (or set nats in ~/.badger/config.yaml)");
  const lattice = checkLatticeName(options.lattice);
  return onceConnected(servers, options, async (connection) => {
    const replicas = options.replicas === undefined ? undefined : replicaCount(options.replicas, '--replicas');
    const store = latticeArtifactStore(connection, lattice, servers, replicas === undefined ? {} : { replicas });
    // A leaf started a moment ago (badger up --leaf-remote) answers before its link to the hub is up.
    for (const until = Date.now() + LEAF_LINK_WAIT_MS; ; await sleep(200)) {
      try {
        return await use(store);
      } catch (error) {
        if ((error as LatticeError).code !== 'LATTICE_NO_JETSTREAM' || Date.now() > until) throw error;
      }
    }
  });
}

const mib = (bytes: number) => (bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / (1024 * 1024)).toFixed(1)} MiB`);

export function pushCommand(): Command {
  return withStoreOptions(withRegistryOptions(new Command('push')))
    .description("push a component to an OCI registry (oci://registry/repository:tag, with wasmCloud's media types) or to the lattice's own store (name:version)")
    .argument('<file>', 'the component, signed or not (hosts verify its claims when they start it)')
    .argument('<reference>', 'oci://<registry>/<repository>:<tag>, or <name>:<version> for the lattice store')
    .option('--replicas <n>', "name:version: the copies the lattice's store is kept in when this push makes it, 1 to 5 (a cluster's servers); a store with another count is refused")
    .option('--json', 'print JSON')
    .action(async (file: string, target: string, options: RegistryOptions & StoreOptions & { json?: boolean }) => {
      const bytes = await readArtifact(file);
      if (isOciReference(target)) {
        const reference = parseOciReference(target);
        const puller = new ArtifactPuller({ home: ensureBadgerHome(), maxBytes: DEFAULT_MAX_ARTIFACT_BYTES, credentials: (registry) => registryCredentials(registry, options) });
        const client = await puller.client(reference.registry, options.insecure === true);
        const manifest = await withProgress(`pushing ${file} (${mib(bytes.length)}) to ${target}`, () => pushComponent(client, reference, bytes));
        const pinned = `oci://${reference.registry}/${reference.repository}@${manifest}`;
        emit(options.json, { reference: target, digest: manifest, pinned, size: bytes.length }, `pushed ${file} to ${target}\n  digest ${manifest}\n  pinned ${pinned}`);
        return;
      }
      const name = parseLatticeReference(target);
      const stored = await onStore(options, (store) => withProgress(`storing ${file} (${mib(bytes.length)}) as ${name}`, () => store.put(name, bytes)));
      emit(options.json, { reference: `lattice://${name}`, ...stored }, `stored ${file} in lattice ${options.lattice}'s store as lattice://${name}\n  digest ${stored.digest}`);
    });
}

export function pullCommand(): Command {
  return withStoreOptions(withRegistryOptions(new Command('pull')))
    .description('pull a component by reference into the cache under ~/.badger/artifacts, checked against its digest, and write a copy')
    .argument('<reference>', 'oci://<registry>/<repository>:<tag> (or @sha256:<digest>), or lattice://<name>:<version>')
    .option('-o, --output <file>', 'where to write it (default: <name>.wasm in this directory)')
    .option('--json', 'print JSON')
    .action(async (location: string, options: RegistryOptions & StoreOptions & { output?: string; json?: boolean }) => {
      if (!isOciReference(location) && !isLatticeReference(location)) throw new CliError('CLI_BAD_ARGUMENT', `${location} is not a reference: write oci://<registry>/<repository>:<tag> or lattice://<name>:<version>`);
      const output = options.output ?? `${defaultFileName(location)}.wasm`;
      const pull = async (store: LatticeArtifacts | undefined) => {
        const registry = isOciReference(location) ? parseOciReference(location).registry : undefined;
        const puller = new ArtifactPuller({
          home: ensureBadgerHome(),
          maxBytes: DEFAULT_MAX_ARTIFACT_BYTES,
          credentials: (name) => registryCredentials(name, options),
          ...(options.insecure && registry ? { insecureRegistries: [registry] } : {}),
          latticeArtifacts: () => store,
        });
        return puller.pull(location, byteProgress(`pulling ${location}`));
      };
      const pulled = isLatticeReference(location) ? await onStore(options, (store) => pull(store)) : await pull(undefined);
      if (pulled.movedFrom) note(`${location} moved since it was last pulled here: it was ${pulled.movedFrom}, it is ${pulled.resolved}`);
      try {
        await writeFile(output, pulled.bytes);
      } catch (error) {
        throw new CliError('CLI_FILE_UNWRITABLE', `cannot write ${output}: ${(error as Error).message}`);
      }
      const data = { reference: location, file: output, digest: pulled.digest, resolved: pulled.resolved, size: pulled.bytes.length, cached: pulled.cached, ...(pulled.movedFrom ? { movedFrom: pulled.movedFrom } : {}) };
      emit(options.json, data, `pulled ${location} to ${output} (${mib(pulled.bytes.length)}${pulled.cached ? ', from the cache' : ''})\n  digest ${pulled.digest}`);
    });
}

/** The last word of a reference's name: `oci://r/badger/oled-ticker:1` → `oled-ticker`. */
function defaultFileName(location: string): string {
  const name = isLatticeReference(location) ? parseLatticeReference(location).split(':')[0]! : parseOciReference(location).repository;
  return basename(name);
}

export function artifactsCommand(): Command {
  const artifacts = new Command('artifacts').description("the lattice's own artifact store: what `badger push <file> name:version` put there");
  artifacts.addCommand(
    withStoreOptions(new Command('list'))
      .description('list the artifacts in the lattice store')
      .option('--json', 'print JSON')
      .action(async (options: StoreOptions & { json?: boolean }) => {
        const all = await onStore(options, (store) => store.list());
        const rows = all.map((artifact) => [`lattice://${artifact.name}`, mib(artifact.size), artifact.digest.slice(0, 19), artifact.modifiedAt.replace(/\.\d+Z$/, 'Z')]);
        emit(options.json, all, all.length === 0 ? `lattice ${options.lattice}'s store is empty: badger push <file.wasm> <name>:<version> puts an artifact there` : table(['REFERENCE', 'SIZE', 'DIGEST', 'STORED'], rows));
      }),
  );
  artifacts.addCommand(
    withStoreOptions(new Command('rm'))
      .description('remove an artifact from the lattice store (hosts running it keep running; caches keep their copy)')
      .argument('<name:version>', 'the artifact, with or without lattice://')
      .option('--json', 'print JSON')
      .action(async (target: string, options: StoreOptions & { json?: boolean }) => {
        const name = parseLatticeReference(target);
        const removed = await onStore(options, (store) => store.remove(name));
        if (!removed) throw new HostError('ARTIFACT_NOT_FOUND', `lattice ${options.lattice}'s store has no ${name}: badger artifacts list shows what it has`);
        emit(options.json, { removed: `lattice://${name}` }, `removed lattice://${name}`);
      }),
  );
  return artifacts;
}
