import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Digest } from './oci-blobs.ts';

/** What a reference resolved to when it was last pulled. */
export interface Resolution {
  /** The manifest's digest (OCI) or the object's (lattice): a tag that moves resolves to another. */
  readonly resolved: string;
  /** The component's own digest: where its bytes are in the cache. */
  readonly component: string;
  /** When the reference was first pulled at this resolution. */
  readonly pulledAt: string;
}

const hexOf = (digest: string) => {
  const match = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (!match) throw new Error(`not a sha256 digest: ${digest}`);
  return match[1]!;
};

/**
 * Pulled components under `<dir>/sha256/<hex>`, each checked against its digest when read (a
 * file changed on disk is dropped and pulled again), and what each reference last resolved to.
 */
export class DigestCache {
  readonly #dir: string;
  #resolutions: Promise<Record<string, Resolution>> | undefined;
  #writing: Promise<void> = Promise.resolve();

  constructor(dir: string) {
    this.#dir = dir;
  }

  #path(digest: string) {
    return join(this.#dir, 'sha256', hexOf(digest));
  }

  /** The bytes of `digest`, if held and still whole. */
  async get(digest: string): Promise<Uint8Array | undefined> {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(this.#path(digest)));
    } catch {
      return undefined;
    }
    if (sha256Digest(bytes) === digest) return bytes;
    await rm(this.#path(digest), { force: true });
    return undefined;
  }

  /** Keeps `bytes` under their digest (written whole, then renamed: a reader never sees half). */
  async put(digest: string, bytes: Uint8Array): Promise<void> {
    const path = this.#path(digest);
    await mkdir(join(this.#dir, 'sha256'), { recursive: true });
    const temporary = `${path}.${randomBytes(6).toString('hex')}.partial`;
    await writeFile(temporary, bytes);
    await rename(temporary, path);
  }

  async resolution(reference: string): Promise<Resolution | undefined> {
    return (await this.#load())[reference];
  }

  /**
   * Notes what `references` (a tag and the digest it resolved to, say) resolve to now; gives what
   * the first resolved to before, if it was another. The index is written only when it changed.
   */
  async remember(references: readonly string[], resolution: Resolution): Promise<Resolution | undefined> {
    const all = await this.#load();
    const before = all[references[0]!];
    const same = (known: Resolution | undefined) => known?.resolved === resolution.resolved && known.component === resolution.component;
    if (references.every((reference) => same(all[reference]))) return undefined;
    for (const reference of references) if (!same(all[reference])) all[reference] = resolution;
    const file = join(this.#dir, 'references.json');
    const text = `${JSON.stringify(all, null, 1)}\n`;
    // Writes go one after another, each with everything known so far; one that failed does not stop the next.
    this.#writing = this.#writing.catch(() => undefined).then(async () => {
      await mkdir(this.#dir, { recursive: true });
      const temporary = `${file}.${randomBytes(6).toString('hex')}.partial`;
      await writeFile(temporary, text);
      await rename(temporary, file);
    });
    await this.#writing;
    return before && before.resolved !== resolution.resolved ? before : undefined;
  }

  #load(): Promise<Record<string, Resolution>> {
    return (this.#resolutions ??= readFile(join(this.#dir, 'references.json'), 'utf8').then(
      (text) => {
        try {
          const parsed = JSON.parse(text) as unknown;
          return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, Resolution>) : {};
        } catch {
          // A damaged index loses only what tags resolved to: the next pulls write it again.
          return {};
        }
      },
      () => ({}),
    ));
  }
}
