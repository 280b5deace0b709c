import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { REUSABLE_INSTANCES_TAG } from '../host/index.ts';
import { computeModuleHash, decodeClaimsToken, readTopLevelToken, signArtifact, type KeyPair } from '../claims/index.ts';
import { parseActorConfig, type ActorConfig } from './actor-config.ts';
import { compileInWorker } from './compile.ts';
import { BuildError } from './errors.ts';
import { dependencyVersion, siblingModule } from './package-root.ts';
import { assembleWitTree, PROJECT_WIT_DIR } from './wit-tree.ts';
import { capabilitiesOf, exportsIncomingHandler } from './world-shape.ts';

export interface ActorProject {
  readonly dir: string;
  readonly configPath: string;
  readonly config: ActorConfig;
}

export interface BuildSummary {
  readonly name: string;
  readonly output: string;
  readonly size: number;
  readonly hash: string;
  readonly subject: string;
  readonly issuer: string;
  readonly capabilities: readonly string[];
  /** True when the sources had not changed and the earlier output was kept. */
  readonly cached: boolean;
}

/** Reads `badger.toml`, or else `badger.json`, from an actor project folder. */
export async function loadActorProject(dir: string): Promise<ActorProject> {
  const root = resolve(dir);
  for (const name of ['badger.toml', 'badger.json']) {
    const configPath = join(root, name);
    let text: string;
    try {
      text = await readFile(configPath, 'utf8');
    } catch {
      continue;
    }
    let document: unknown;
    try {
      document = name.endsWith('.toml') ? parseToml(text) : JSON.parse(text);
    } catch (error) {
      const where = error instanceof TomlError ? ` (line ${error.line})` : '';
      throw new BuildError('BUILD_CONFIG_MALFORMED', `${configPath}${where}: ${(error as Error).message.split('\n')[0]}`);
    }
    return { dir: root, configPath, config: parseActorConfig(document, configPath) };
  }
  throw new BuildError('BUILD_CONFIG_MISSING', `${root} has no badger.toml or badger.json: is it an actor project?`);
}

export interface BuildRequest {
  readonly issuer: KeyPair;
  readonly subject: KeyPair;
  /** Rebuild even when nothing changed. */
  readonly force?: boolean;
  readonly onProgress?: (step: string) => void;
}

/** JavaScript on StarlingMonkey that exports its HTTP handler: its instances may be reused. */
async function servesManyRequests(config: ActorProject['config'], sourcePath: string): Promise<boolean> {
  if (config.language === 'wat' || config.backend !== 'starlingmonkey') return false;
  const source = await readFile(sourcePath, 'utf8');
  return exportsIncomingHandler(source);
}

/** Source → signed component in `build/<name>_s.wasm`, skipped when the inputs are unchanged. */
export async function buildActor(project: ActorProject, request: BuildRequest): Promise<BuildSummary> {
  const { dir, config } = project;
  const buildDir = join(dir, 'build');
  const output = join(buildDir, `${fileStem(config.name)}_s.wasm`);
  const keyFile = join(buildDir, '.build-key');
  const sourcePath = join(dir, config.source);
  if (!(await isFile(sourcePath))) {
    throw new BuildError('BUILD_SOURCE_MISSING', `${sourcePath} does not exist: set "source" in ${project.configPath} or create the file`);
  }
  const projectWitDir = (await isDirectory(join(dir, 'wit'))) ? join(dir, 'wit') : undefined;
  const buildKey = await inputsDigest(project, projectWitDir, request);

  if (!request.force) {
    const kept = await keptOutput(keyFile, output, buildKey);
    if (kept) return { ...summaryOf(config, output, request, kept), cached: true };
  }

  const progress = request.onProgress ?? (() => {});
  await mkdir(buildDir, { recursive: true });
  progress('resolving WIT');
  const witDir = join(buildDir, 'wit');
  await assembleWitTree(witDir, projectWitDir);
  progress(config.language === 'wat' ? 'assembling the component' : `componentizing with ${config.backend}`);
  const unsignedPath = join(buildDir, `${fileStem(config.name)}.wasm`);
  const shape = await compileInWorker(
    {
      witDir,
      world: config.world,
      language: config.language,
      backend: config.backend,
      sourcePath,
      scratchDir: join(buildDir, 'js'),
      outputPath: unsignedPath,
    },
  );
  progress('signing');
  const capabilities = [...new Set([...capabilitiesOf(shape), ...config.extraCapabilities])];
  const signed = await signArtifact(await readFile(unsignedPath), {
    issuer: request.issuer,
    subject: request.subject,
    issuedAt: Math.floor(Date.now() / 1000),
    claims: {
      name: config.name,
      caps: capabilities,
      tags: (await servesManyRequests(config, sourcePath)) ? [...new Set([...config.tags, REUSABLE_INSTANCES_TAG])] : config.tags,
      ...(config.version === undefined ? {} : { ver: config.version }),
      ...(config.revision === undefined ? {} : { rev: config.revision }),
    },
  });
  await writeFile(output, signed.bytes);
  const made = madeOf(signed.bytes);
  const written = await stat(output);
  const record: BuildRecord = { inputs: buildKey, ino: written.ino, modifiedMs: written.mtimeMs, ...made };
  await writeFile(keyFile, JSON.stringify(record));
  return { ...summaryOf(config, output, request, made), cached: false };
}

/** What a build made, as its summary shows it. */
export interface Made {
  readonly size: number;
  readonly hash: string;
  readonly capabilities: readonly string[];
}

/**
 * The key file: the digest of the last build's inputs, and what it made and where, so that a build
 * with nothing changed reads no more than this (hashing four 13 MB outputs again took most of it).
 */
interface BuildRecord extends Made {
  readonly inputs: string;
  readonly ino: number;
  readonly modifiedMs: number;
}

function madeOf(bytes: Uint8Array): Made {
  return { size: bytes.length, hash: computeModuleHash(bytes), capabilities: signedCapabilities(bytes) };
}

function summaryOf(config: ActorConfig, output: string, request: BuildRequest, made: Made): Omit<BuildSummary, 'cached'> {
  return { name: config.name, output, ...made, subject: request.subject.publicKey, issuer: request.issuer.publicKey };
}

/** The output's identity on disk, as the key file records it. */
export interface OutputStat {
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * Pure: what the key file's text says of an output built from `inputs`, now that the output's
 * stat is `now`. Its summary, while the output is the one that build wrote; 'read' when the
 * output must be read and summarized again (touched since: re-signed, copied over; or a key file
 * of an older badger, the digest alone); undefined when the inputs differ (or the file is not ours).
 */
export function keptBuild(keyFileText: string, inputs: string, now: OutputStat): Made | 'read' | undefined {
  if (keyFileText === inputs) return 'read';
  let record: unknown;
  try {
    record = JSON.parse(keyFileText);
  } catch {
    return undefined;
  }
  if (typeof record !== 'object' || record === null || (record as Partial<BuildRecord>).inputs !== inputs) return undefined;
  const { ino, size, modifiedMs, hash, capabilities } = record as Partial<BuildRecord>;
  const same = ino === now.ino && size === now.size && modifiedMs === now.mtimeMs;
  return same && typeof hash === 'string' && Array.isArray(capabilities) ? { size, hash, capabilities } : 'read';
}

/** The output of an earlier build of the same inputs, if it is still there (see keptBuild). */
async function keptOutput(keyFile: string, output: string, inputs: string): Promise<Made | undefined> {
  const text = (await readIfPresent(keyFile))?.toString();
  const now = text === undefined ? undefined : await stat(output).catch(() => undefined);
  const kept = now && keptBuild(text!, inputs, now);
  if (kept !== 'read') return kept;
  // A Buffer is a Uint8Array already: a copy of 13 MB costs 40 ms here, most of it page faults.
  const bytes = await readIfPresent(output);
  return bytes && madeOf(bytes);
}

function signedCapabilities(bytes: Uint8Array): readonly string[] {
  const token = readTopLevelToken(bytes);
  return token === undefined ? [] : (decodeClaimsToken(token).wascap.caps ?? []);
}

/**
 * Everything the output depends on: the config, the sources, the WIT (ours and the project's),
 * the toolchain's versions and the signing keys.
 */
async function inputsDigest(project: ActorProject, projectWitDir: string | undefined, request: BuildRequest): Promise<string> {
  const hash = createHash('sha256');
  hash.update(await readFile(project.configPath));
  for (const name of ['@bytecodealliance/jco', '@bytecodealliance/componentize-js', 'componentize-qjs']) {
    hash.update(`${name}@${dependencyVersion(name)}`);
  }
  for (const part of ['compile-worker', 'wit-tree', 'world-shape']) hash.update(await readFile(siblingModule(part, import.meta.url)));
  hash.update(`${request.issuer.publicKey}${request.subject.publicKey}`);
  const folders = [project.dir, PROJECT_WIT_DIR, ...(projectWitDir ? [projectWitDir] : [])];
  for (const folder of folders) {
    for (const file of await listFiles(folder)) {
      hash.update(file);
      hash.update(await readFile(file));
    }
  }
  return hash.digest('hex');
}

async function listFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && !/(^|\/)(build|node_modules)(\/|$)/.test(join(entry.parentPath, entry.name).slice(folder.length)))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** A file-name-safe form of an actor's name, for its output and key files. */
export function fileStem(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '') || 'actor';
}

async function readIfPresent(path: string): Promise<Buffer | undefined> {
  return readFile(path).catch(() => undefined);
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() ?? false;
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}
