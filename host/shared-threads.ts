import { availableParallelism } from 'node:os';
import { ActorThread } from './actor-thread.ts';
import type { ActorLogLevel } from './wasi/index.ts';

/** About one actor thread per core: a thread runs one guest at a time, so more would only take turns. */
export function defaultActorThreads(): number {
  return Math.max(1, availableParallelism());
}

/**
 * The host's shared actor threads: each runs many actors, an actor may be on several. Threads
 * start when the first actor needs them.
 */
export class SharedThreads {
  readonly size: number;
  readonly #threads: ActorThread[] = [];
  readonly #log: (level: ActorLogLevel, message: string) => void;

  constructor(size: number, log: (level: ActorLogLevel, message: string) => void) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`the number of actor threads must be a whole number of at least 1, not ${size}`);
    this.size = size;
    this.#log = log;
  }

  /** The threads started so far. */
  get threads(): readonly ActorThread[] {
    return this.#threads;
  }

  /**
   * Where to place an actor that is not on any of `taken`: a thread not started yet, or the one
   * with the fewest actors (then the least work). With `free`, never a thread blocked in an
   * import, which could not run the call until the import it waits on returns.
   */
  place(taken: ReadonlySet<ActorThread>, free = false): ActorThread | undefined {
    if (this.#threads.length < this.size) {
      const thread = new ActorThread({ shared: true, log: this.#log });
      this.#threads.push(thread);
      return thread;
    }
    const candidates = this.#threads.filter((thread) => !taken.has(thread) && !(free && thread.importing));
    return candidates.sort((a, b) => a.tenants - b.tenants || a.load - b.load)[0];
  }

  async end(): Promise<void> {
    await Promise.all(this.#threads.splice(0).map((thread) => thread.end()));
  }
}
