import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

describe('the published build', () => {
  it('compiles with tsc, and the compiled CLI runs', async () => {
    await run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { cwd: root });
    const script = "const { main } = await import('./dist/cli/main.js'); await main(['node', 'badger', 'keys', 'gen', 'host', '--json']);";
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: root });
    expect(JSON.parse(stdout)).toMatchObject({ type: 'host', publicKey: expect.stringMatching(/^N/) });
    const version = await run(process.execPath, ['--input-type=module', '-e', "const { main } = await import('./dist/cli/main.js'); await main(['node', 'badger', '--version']);"], { cwd: root });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
