import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { CompileRequest, CompileResult } from './compile-request.ts';
import { BuildError } from './errors.ts';
import { siblingModule } from './package-root.ts';
import type { WorldShape } from './world-shape.ts';

const WORKER = fileURLToPath(siblingModule('compile-worker', import.meta.url));

/** Compiles in a child process and returns the shape of what was built. */
export async function compileInWorker(request: CompileRequest, requestPath: string): Promise<WorldShape> {
  await writeFile(requestPath, JSON.stringify(request));
  const { stdout, stderr, code } = await new Promise<{ stdout: string; stderr: string; code: number | null }>((resolve, reject) => {
    const child = spawn(process.execPath, [WORKER, requestPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ stdout: out, stderr: err, code: exitCode }));
  });
  // The result is the last line: the engine and wizer may print before it.
  const last = stdout.trim().split('\n').pop() ?? '';
  let result: CompileResult;
  try {
    result = JSON.parse(last) as CompileResult;
  } catch {
    throw new BuildError('BUILD_FAILED', `the compiler exited with code ${code}: ${stderr.trim().split('\n').slice(-3).join(' / ') || 'no output'}`);
  }
  if (!result.ok) throw new BuildError(result.code, result.message);
  return result.shape;
}
