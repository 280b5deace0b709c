import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { CompileRequest, CompileResult } from './compile-request.ts';
import { BuildError } from './errors.ts';
import { siblingModule } from './package-root.ts';
import type { WorldShape } from './world-shape.ts';

const WORKER = fileURLToPath(siblingModule('compile-worker', import.meta.url));

/**
 * How long an idle compiler process is kept for the next build. A compiler's first build pays for
 * compiling componentize-js's own Wasm (about 2 s of both cores); the builds after it do not, so
 * builds that come together (the demo's, dev's saves) share one. Idle, it holds 800 MB: not for long.
 */
const IDLE_MS = 10_000;

/** The stderr kept from a compiler, for the message when it dies mid-build. */
const STDERR_TAIL_BYTES = 4096;

interface Job {
  readonly request: CompileRequest;
  readonly resolve: (shape: WorldShape) => void;
  readonly reject: (error: Error) => void;
}

/** One compiler process, which builds one request at a time and is handed the next. */
class Compiler {
  readonly #child: ChildProcess;
  #job: Job | undefined;
  #stderr = '';
  #broken = false;
  #idle: NodeJS.Timeout | undefined;
  readonly #done: (compiler: Compiler) => void;

  constructor(done: (compiler: Compiler) => void) {
    this.#done = done;
    this.#child = spawn(process.execPath, [WORKER], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.#child.stderr!.on('data', (chunk: Buffer) => (this.#stderr = (this.#stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES)));
    this.#child.on('message', (result: CompileResult) => this.#finish(result));
    this.#child.on('exit', (code) => {
      const job = this.#job;
      this.#job = undefined;
      clearTimeout(this.#idle);
      this.#done(this);
      job?.reject(new BuildError('BUILD_FAILED', `the compiler exited with code ${code}: ${this.#stderr.trim().split('\n').slice(-3).join(' / ') || 'no output'}`));
    });
    // It could not be started (or signalled): its job fails, and the next one gets another compiler.
    this.#child.on('error', (error) => {
      const job = this.#job;
      this.#job = undefined;
      this.#broken = true;
      this.#done(this);
      job?.reject(new BuildError('BUILD_FAILED', `the compiler could not run: ${error.message}`));
    });
  }

  get busy(): boolean {
    return this.#job !== undefined;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get alive(): boolean {
    return !this.#broken && !this.#child.killed && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  run(job: Job): void {
    clearTimeout(this.#idle);
    this.#job = job;
    this.#setKeepsParentAlive(true);
    this.#child.send(job.request);
  }

  #finish(result: CompileResult): void {
    const job = this.#job!;
    this.#job = undefined;
    if (result.ok) job.resolve(result.shape);
    else job.reject(new BuildError(result.code, result.message));
    // An idle compiler must not keep a finished `badger build` alive, and goes after a while.
    this.#setKeepsParentAlive(false);
    this.#idle = setTimeout(() => this.#child.kill(), IDLE_MS).unref();
    this.#done(this);
  }

  #setKeepsParentAlive(keeps: boolean): void {
    for (const handle of [this.#child, this.#child.channel, this.#child.stderr as unknown as { ref(): void; unref(): void } | null]) {
      if (keeps) handle?.ref();
      else handle?.unref();
    }
  }
}

/**
 * Compiler processes: componentize-js holds a 12 MB engine and a wizer child, and jco's WIT loader
 * needs filesystem preopens that must never be set in a host. One core is left to whatever uses
 * what is built (a host starting the demo's actors).
 */
class CompilerPool {
  readonly #compilers = new Set<Compiler>();
  readonly #queue: Job[] = [];
  readonly #size = Math.max(1, availableParallelism() - 1);

  get pids(): number[] {
    return [...this.#compilers].filter((compiler) => compiler.alive).flatMap((compiler) => compiler.pid ?? []);
  }

  compile(request: CompileRequest): Promise<WorldShape> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ request, resolve, reject });
      this.#next();
    });
  }

  #next(): void {
    for (const compiler of this.#compilers) if (!compiler.alive) this.#compilers.delete(compiler);
    while (this.#queue.length > 0) {
      let idle = [...this.#compilers].find((compiler) => !compiler.busy);
      if (!idle && this.#compilers.size < this.#size) {
        idle = new Compiler((compiler) => {
          if (!compiler.alive) this.#compilers.delete(compiler);
          this.#next();
        });
        this.#compilers.add(idle);
      }
      if (!idle) return;
      idle.run(this.#queue.shift()!);
    }
  }
}

const pool = new CompilerPool();

/** Compiles in a compiler process and returns the shape of what was built. */
export function compileInWorker(request: CompileRequest): Promise<WorldShape> {
  return pool.compile(request);
}

/** The compiler processes alive now: which builds share. */
export function compilerPids(): readonly number[] {
  return pool.pids;
}
