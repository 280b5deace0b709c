/**
 * `badger dev` as a developer uses it: in a terminal (tmux), on a copy of an example actor. A save
 * is served without restarting dev and without a moment's gap, the key-value store's data survives the swap, and a broken
 * source shows its file and line while the last good version goes on serving.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'badger.js');
const session = `badger-dev-${process.pid}`;
let work: string;
let source: string;

const tmux = (...args: string[]) =>
  promisify(execFile)('tmux', args).catch((error: Error) => {
    throw new Error(`tmux failed (${error.message}); install it with: sudo apt-get install -y tmux`);
  });
const screen = async () => (await tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', session)).stdout;

/** Polls the terminal (bounded) until `pattern` shows, and answers the match. */
async function shown(pattern: RegExp, attempts = 600): Promise<RegExpExecArray> {
  let text = '';
  for (let attempt = 0; attempt < attempts; attempt++) {
    text = await screen();
    const match = pattern.exec(text);
    if (match) return match;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the terminal never showed ${pattern}:\n${text}`);
}

/**
 * Polls the URL (bounded) until its JSON answer has `version`, or returns the last answer. The
 * address never closes while the actor is swapped: a refused connection fails the test.
 */
async function answerWith(url: string, version: number | undefined): Promise<Record<string, unknown>> {
  let answer: Record<string, unknown> = {};
  for (let attempt = 0; attempt < 1500; attempt++) {
    const response = await fetch(url);
    expect(response.status).toBe(200);
    answer = (await response.json()) as Record<string, unknown>;
    if (answer.version === version) return answer;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return answer;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'badger-dev-'));
  const project = join(work, 'counter');
  await cp(join(ROOT, 'actors-src', 'counter'), project, { recursive: true, filter: (from) => !from.includes(`${join('counter', 'build')}`) });
  await rm(join(project, 'build'), { recursive: true, force: true });
  source = join(project, 'src', 'index.ts');
  await tmux('new-session', '-d', '-s', session, '-x', '200', '-y', '50', '-e', `BADGER_HOME=${join(work, 'home')}`, `${process.execPath} ${BIN} dev ${project}`);
});

afterAll(async () => {
  await tmux('send-keys', '-t', session, 'C-c').catch(() => {});
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await tmux('kill-session', '-t', session).catch(() => {});
});

describe('badger dev', () => {
  it('builds, links the key-value store, serves a URL, and swaps the actor on save and keeps the last good one on a broken save', async () => {
    const url = `${(await shown(/dev: serving (http:\/\/127\.0\.0\.1:\d+\/)/))[1]!}visits`;
    expect(await screen()).toMatch(/dev: linked wasi:keyvalue\/store to the keyvalue provider/);
    expect(await (await fetch(url)).json()).toEqual({ path: '/visits', count: 1 });
    expect(await (await fetch(url)).json()).toEqual({ path: '/visits', count: 2 });

    const original = await readFile(source, 'utf8');
    const edited = original.replace('json({ path, count: Number(count) }, 200)', 'json({ path, count: Number(count), version: 2 }, 200)');
    expect(edited).not.toBe(original);
    await writeFile(source, edited);
    // The new code answers at the same URL (polled on a path of its own, since each answer counts),
    // and the count goes on from the store.
    expect(await answerWith(url.replace('/visits', '/probe'), 2)).toMatchObject({ path: '/probe', version: 2 });
    expect(await (await fetch(url)).json()).toEqual({ path: '/visits', count: 3, version: 2 });
    await shown(/dev: reloaded counter/);

    await writeFile(source, edited.replace('version: 2 }, 200)', 'version: 2 }, 200) +'));
    const error = await shown(/error\[BUILD_SOURCE_INVALID\]: .*counter\/src\/index\.ts:(\d+):(\d+): /);
    expect(Number(error[1])).toBeGreaterThan(0);
    expect(await screen()).toMatch(/build failed; the last good version keeps serving/);
    expect(await (await fetch(url)).json()).toEqual({ path: '/visits', count: 4, version: 2 });
  }, 240_000);
});
