#!/usr/bin/env node
// Plain JavaScript that any Node can parse: on an older Node it hands over to the Node 24 that npm
// installed with the package, since the host needs JSPI (WebAssembly.Suspending).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import module, { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  let node24;
  try {
    node24 = createRequire(import.meta.url).resolve(`node-${process.platform}-${process.arch}/bin/node`);
  } catch {
    console.error(`badger needs Node 24 or later (for JSPI) and found ${process.version}. Run "npm install" where badger is installed, or install Node 24.`);
    process.exit(1);
  }
  const child = spawn(node24, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  // Whoever stops this process means the real one: pass the signal on.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    process.exit(code ?? 1);
  });
} else {
  await runBadger();
}

async function runBadger() {
  // Node keeps what it compiled (and the TypeScript it stripped) on disk for the next run: a command
  // starts in half the time. NODE_COMPILE_CACHE chooses where, NODE_DISABLE_COMPILE_CACHE turns it off.
  module.enableCompileCache?.();
  // A host command re-executes itself on jemalloc (when installed) before the CLI loads; see cli/allocator.ts.
  const { reexecOnChosenAllocator } = await import(cliModule('allocator').href);
  reexecOnChosenAllocator();
  const { main } = await import(cliModule('main').href);
  await main(process.argv);
}

/** A checkout runs its TypeScript sources directly (Node 24 strips types); a published package runs dist/. */
function cliModule(name) {
  const source = new URL(`../cli/${name}.ts`, import.meta.url);
  return existsSync(source) ? source : new URL(`../dist/cli/${name}.js`, import.meta.url);
}
