/**
 * DNS rebinding against the loopback dashboard: a page on evil.example, whose name now resolves to
 * 127.0.0.1, sends requests that name evil.example in Host and Origin. It must get no action done
 * and read nothing. Real HTTP clients (curl, node:http) against the real dashboard server.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveDashboard, type DashboardSource, type RunningDashboard } from '../../dashboard/index.ts';

const run = promisify(execFile);
let dashboard: RunningDashboard;
let port: number;
/** The actions that reached the lattice: the attack must add none. */
const acted: unknown[] = [];

/** The lattice behind the page, reduced to what this attack aims at: its actions, and its view. */
const source: DashboardSource = {
  view: async () => ({ lattice: 'home', hosts: [], standaloneProviders: [], links: [], displays: [] }),
  onEvent: () => () => {},
  act: async (host, request) => {
    acted.push({ host, request });
    return { ok: true, data: { stopped: true } };
  },
  snapshot: async () => {
    throw new Error('no display');
  },
  close: async () => {},
};

beforeAll(async () => {
  const pageDir = await mkdtemp(join(tmpdir(), 'badger-page-'));
  await writeFile(join(pageDir, 'index.html'), '<!doctype html><title>badger</title>');
  dashboard = await serveDashboard({ source, pageDir, bind: '127.0.0.1', port: 0 });
  port = Number(new URL(dashboard.url).port);
});

afterAll(async () => {
  await dashboard?.close();
});

const action = JSON.stringify({ host: 'NHOST', request: { op: 'stop-actor', actor: 'hello' } });

async function curlPost(host: string, origin: string): Promise<number> {
  try {
    const { stdout } = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-X', 'POST', '-H', `Host: ${host}`, '-H', `Origin: ${origin}`, '-H', 'Content-Type: application/json', '--data', action, `http://127.0.0.1:${port}/api/actions`]);
    return Number(stdout);
  } catch (error) {
    throw new Error(`curl failed (install it with apt-get install -y curl): ${(error as Error).message}`);
  }
}

function get(path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path, headers: { host } }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('the loopback dashboard under DNS rebinding', () => {
  it('does no action for a request that names another host, even with a matching Origin', async () => {
    expect(await curlPost(`evil.example:${port}`, `http://evil.example:${port}`)).toBe(421);
    expect(await curlPost(`127.0.0.1:${port}`, `http://evil.example:${port}`)).toBe(403);
    expect(acted).toEqual([]);
  });

  it('shows nothing to a page under another name', async () => {
    for (const path of ['/', '/api/view', '/api/events']) {
      const answer = await get(path, `evil.example:${port}`);
      expect(answer.status).toBe(421);
      expect(answer.body).toContain('DASHBOARD_WRONG_HOST');
    }
  });

  it('still takes the page\'s own actions on loopback names', async () => {
    expect(await curlPost(`localhost:${port}`, `http://localhost:${port}`)).toBe(200);
    expect(await curlPost(`127.0.0.1:${port}`, `http://127.0.0.1:${port}`)).toBe(200);
    expect(acted).toHaveLength(2);
    expect((await get('/api/view', `127.0.0.1:${port}`)).status).toBe(200);
  });
});
