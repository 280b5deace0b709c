import { chmod, mkdir, rm, stat } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import { badgerHome } from '../badger-home.ts';
import { HostError } from '../errors.ts';
import { encodeControlJson, lineReader, MAX_CONTROL_LINE_BYTES } from './json-lines.ts';
import type { ControlRequest, ControlResponse } from './operations.ts';

/** `host.sock` in the badger home (`~/.badger` unless `$BADGER_HOME` says otherwise). */
export function defaultSocketPath(): string {
  return join(badgerHome(), 'host.sock');
}

/**
 * Serves control requests on a Unix socket that only its owner may open: the folder is 0700 and
 * the socket 0600, so another user's connect() is refused by the kernel. One JSON line in, one out.
 */
export async function serveLocalSocket(path: string, handle: (request: unknown) => Promise<ControlResponse>): Promise<Server> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  if (await isLive(path)) throw new HostError('HOST_ALREADY_RUNNING', `a host is already listening on ${path}; stop it with badger down`);
  await rm(path, { force: true });
  const server = createServer((socket) => {
    const answer = (response: ControlResponse) => {
      if (!socket.destroyed) socket.write(`${encodeControlJson(response)}\n`);
    };
    socket.on(
      'data',
      lineReader(
        (line) => {
          let request: unknown;
          try {
            request = JSON.parse(line);
          } catch {
            return answer({ ok: false, code: 'CONTROL_MALFORMED', message: 'a request is one line of JSON' });
          }
          // Checked against the schema by the handler: whatever the transport, one place decides.
          void handle(request).then(answer);
        },
        {
          onTooLong: () => {
            socket.end(`${encodeControlJson({ ok: false, code: 'CONTROL_TOO_LARGE', message: `a control request is one line of at most ${MAX_CONTROL_LINE_BYTES} bytes` })}\n`);
            // What the peer still sends is not read: the connection goes once the answer is out.
            socket.pause();
            setTimeout(() => socket.destroy(), 1000).unref();
          },
        },
      ),
    );
    socket.on('error', () => socket.destroy());
  });
  // Bind with a tight umask window: the socket must never exist with looser permissions.
  const previous = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => resolve());
    });
  } finally {
    process.umask(previous);
  }
  await chmod(path, 0o600);
  return server;
}

/** Sends one request to the host on `path`. */
export async function requestLocalHost(path: string, request: ControlRequest): Promise<ControlResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    socket.on(
      'data',
      lineReader((line) => {
        resolve(JSON.parse(line) as ControlResponse);
        socket.end();
      }),
    );
    socket.on('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT' || error.code === 'ECONNREFUSED'
          ? new HostError('HOST_NOT_RUNNING', `no host is running at ${path}: start one with "badger up" (or "npm start")`)
          : error.code === 'EACCES' || error.code === 'EPERM'
            ? new HostError('HOST_ACCESS_DENIED', `the host at ${path} belongs to another user: run badger as that user, or start a host of your own with BADGER_HOME set to a folder of yours`)
            : new HostError('HOST_NOT_RUNNING', `cannot reach the host at ${path}: ${error.message}`),
      );
    });
    socket.write(`${encodeControlJson(request)}\n`);
  });
}

async function isLive(path: string): Promise<boolean> {
  if (!(await stat(path).catch(() => undefined))) return false;
  return new Promise((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.end();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}
