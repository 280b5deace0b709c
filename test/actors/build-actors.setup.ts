import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** Builds every example actor once before the suites run (`npm run build:actors`, cached by source hash). */
export default async function buildActors(): Promise<void> {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  await promisify(execFile)('npm', ['run', '--silent', 'build:actors'], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
}
