// blob-notes: keeps notes as objects in the blob store container "notes" (the actor's own unless
// the link maps it). POST /notes/<name> stores the body, GET /notes lists the names, GET
// /notes/<name> reads one back, DELETE /notes/<name> removes it.
import { createContainer, containerExists, getContainer } from 'wasi:blobstore/blobstore@0.2.0-draft';
import { IncomingValue, OutgoingValue } from 'wasi:blobstore/types@0.2.0-draft';

interface FetchEvent {
  readonly request: Request;
  respondWith(response: Response | Promise<Response>): void;
}

const CONTAINER = 'notes';
// wasi:io's blocking-write-and-flush takes at most 4 KiB a call.
const WRITE_CHUNK = 4096;

addEventListener('fetch', (event) => (event as unknown as FetchEvent).respondWith(handle((event as unknown as FetchEvent).request)));

async function handle(request: Request): Promise<Response> {
  const path = new URL(request.url).pathname;
  const name = path.startsWith('/notes/') ? decodeURIComponent(path.slice('/notes/'.length)) : undefined;
  try {
    if (path === '/notes' && request.method === 'GET') return json({ notes: list() }, 200);
    if (name === undefined || name === '') return json({ error: 'use /notes or /notes/<name>' }, 404);
    switch (request.method) {
      case 'POST':
      case 'PUT':
        write(name, new Uint8Array(await request.arrayBuffer()));
        return json({ stored: name }, 201);
      case 'GET': {
        const notes = container();
        if (!notes.hasObject(name)) return json({ error: `no note "${name}"` }, 404);
        const size = notes.objectInfo(name).size;
        const bytes = size === 0n ? new Uint8Array() : IncomingValue.incomingValueConsumeSync(notes.getData(name, 0n, size - 1n));
        return new Response(bytes, { status: 200, headers: { 'content-type': 'application/octet-stream' } });
      }
      case 'DELETE':
        container().deleteObject(name);
        return new Response(null, { status: 204 });
      default:
        return json({ error: `${request.method} is not served` }, 405);
    }
  } catch (error) {
    // A blob store failure arrives as its error string in `payload`.
    const payload = (error as { payload?: unknown }).payload;
    return json({ error: typeof payload === 'string' ? payload : String(error) }, 503);
  }
}

function container() {
  return containerExists(CONTAINER) ? getContainer(CONTAINER) : createContainer(CONTAINER);
}

function list(): string[] {
  const names: string[] = [];
  const stream = container().listObjects();
  for (;;) {
    const [page, ended] = stream.readStreamObjectNames(100n);
    names.push(...page);
    if (ended) return names.sort();
  }
}

function write(name: string, bytes: Uint8Array): void {
  const value = OutgoingValue.newOutgoingValue();
  const body = value.outgoingValueWriteBody();
  for (let at = 0; at < bytes.length; at += WRITE_CHUNK) body.blockingWriteAndFlush(bytes.subarray(at, at + WRITE_CHUNK));
  container().writeData(name, value);
  OutgoingValue.finish(value);
}

function json(body: unknown, status: number): Response {
  return new Response(`${JSON.stringify(body)}\n`, { status, headers: { 'content-type': 'application/json' } });
}
