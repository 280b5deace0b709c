import { existsSync } from 'node:fs';

/**
 * Which malloc a host process runs on.
 *
 * glibc's malloc keeps what a long-running host frees: a 10-minute soak saw its arenas step up by
 * 60–100 MB once, after about 36,000 requests, and stay there, though `malloc_trim(0)` handed almost
 * all of it back. jemalloc returns freed pages by itself. A process picks its allocator before it
 * starts, so a host command re-executes itself with jemalloc preloaded when the machine has it.
 */

/** Where Debian, Ubuntu and Raspberry Pi OS's libjemalloc2 (then Fedora's and Alpine's jemalloc) put the library. */
export function jemallocCandidates(arch: string): readonly string[] {
  const multiarch = arch === 'arm64' ? 'aarch64-linux-gnu' : arch === 'x64' ? 'x86_64-linux-gnu' : undefined;
  return [...(multiarch ? [`/usr/lib/${multiarch}/libjemalloc.so.2`] : []), '/usr/lib64/libjemalloc.so.2', '/usr/lib/libjemalloc.so.2'];
}

export const JEMALLOC_INSTALL = 'sudo apt-get install -y libjemalloc2 (Debian, Ubuntu, Raspberry Pi OS)';

/** The commands that run a host in this process: only they live long enough for the allocator to matter. */
const HOST_COMMANDS = new Set(['up', 'dev']);

export type AllocatorPlan =
  | { readonly action: 'keep'; readonly why: string }
  | { readonly action: 'preload'; readonly ldPreload: string }
  | { readonly action: 'refuse'; readonly reason: string };

/**
 * Pure: whether `badger <args>` should re-execute itself with jemalloc preloaded. `args` are the
 * arguments after the script; `found` is the first candidate library that exists, if any.
 * BADGER_ALLOCATOR=jemalloc insists on it, `system` keeps libc's malloc; unset means jemalloc when installed.
 */
export function planAllocator(input: {
  readonly platform: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly found: string | undefined;
}): AllocatorPlan {
  const { platform, args, env, found } = input;
  // The only global option (--verbose) takes no value: the first word that is not an option is the command.
  const command = args.find((arg) => !arg.startsWith('-'));
  if (!command || !HOST_COMMANDS.has(command)) return { action: 'keep', why: 'not a host command' };
  // `up --detached` only waits for the background host it starts, which makes its own choice.
  if (args.includes('--detached') || args.includes('--help') || args.includes('-h')) return { action: 'keep', why: 'runs no host' };
  const choice = env.BADGER_ALLOCATOR ?? 'auto';
  if (choice !== 'jemalloc' && choice !== 'system' && choice !== 'auto') {
    return { action: 'refuse', reason: `BADGER_ALLOCATOR is ${JSON.stringify(choice)}: it is jemalloc, system, or unset (jemalloc when installed)` };
  }
  if (choice === 'system') return { action: 'keep', why: 'BADGER_ALLOCATOR=system' };
  const preloaded = env.LD_PRELOAD ?? '';
  if (/libjemalloc/.test(preloaded)) return { action: 'keep', why: 'jemalloc is preloaded already' };
  if (platform !== 'linux' || !found) {
    if (choice === 'jemalloc') {
      return { action: 'refuse', reason: platform !== 'linux' ? `BADGER_ALLOCATOR=jemalloc is for Linux, and this is ${platform}` : `BADGER_ALLOCATOR=jemalloc, but libjemalloc.so.2 is not installed: ${JEMALLOC_INSTALL}` };
    }
    return { action: 'keep', why: 'jemalloc is not installed' };
  }
  // LD_PRELOAD separates with spaces or colons; what the user preloads comes after, and keeps working.
  return { action: 'preload', ldPreload: preloaded.trim() ? `${found}:${preloaded.trim()}` : found };
}

/** The first jemalloc library present on this machine. */
export function installedJemalloc(arch: string = process.arch): string | undefined {
  return jemallocCandidates(arch).find((path) => existsSync(path));
}

/** The plan for this process's own command line and environment. */
export function allocatorPlanHere(argv: readonly string[] = process.argv): AllocatorPlan {
  return planAllocator({ platform: process.platform, args: argv.slice(2), env: process.env, found: process.platform === 'linux' ? installedJemalloc() : undefined });
}

/**
 * Re-executes this process (same pid, same arguments) with jemalloc preloaded when the plan says so,
 * before the CLI loads: otherwise it returns, and the CLI reports a refusal as it reports any error.
 */
export function reexecOnChosenAllocator(): void {
  const plan = allocatorPlanHere();
  if (plan.action !== 'preload' || typeof process.execve !== 'function') return;
  try {
    process.execve(process.execPath, [process.execPath, ...process.execArgv, ...process.argv.slice(1)], { ...process.env, LD_PRELOAD: plan.ldPreload });
  } catch (error) {
    // The host still runs, as it would without jemalloc: a worse allocator is no reason not to start.
    process.stderr.write(`warning: could not restart on jemalloc (${(error as Error).message}); running on the C library's malloc\n`);
  }
}
