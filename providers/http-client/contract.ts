// The guest side runs in the actor's own thread: the request goes out from there, on undici, and
// its body streams both ways without crossing to the host's thread. Only the link's config crosses,
// once per link. From the host: types and host/guest-side.ts only.
import { FutureIncomingResponse, methodToString, type HttpErrorCode, type OutgoingOutcome, type OutgoingRequest, type RequestOptions } from '../../host/guest-side.ts';
import type { Contract, Link, RoutedCall } from '../../host/index.ts';
import { allowsRequest } from './allowed-hosts.ts';
import { requestBodyPipe, responseBodySource } from './body-streams.ts';
import { parseHttpClientLinkConfig, type HttpClientLinkConfig } from './link-config.ts';
import type { HttpClientSender, OpenOutcome, OutgoingHttpRequest } from './sender.ts';

/** What an http-client provider implements: the host's side is only the link's config, checked. */
export interface HttpClientHandler {
  linkConfig(link: Link): Promise<Readonly<Record<string, string>>>;
}

const OUTGOING = 'wasi:http/outgoing-handler';
const NANOS_PER_MS = 1_000_000n;

/** One sender per link config in this thread: its pool of connections outlives each request. */
const senders = new Map<string, Promise<HttpClientSender>>();

function senderFor(config: Readonly<Record<string, string>>): Promise<HttpClientSender> {
  const key = JSON.stringify(Object.entries(config).sort());
  let sender = senders.get(key);
  if (!sender) {
    // undici loads in a thread the first time one of its actors sends, not when the actor starts.
    sender = import('./sender.ts').then(({ HttpClientSender }) => HttpClientSender.open(parseHttpClientLinkConfig(config)));
    sender.catch(() => senders.delete(key));
    senders.set(key, sender);
  }
  return sender;
}

const internal = (message: string): HttpErrorCode => ({ tag: 'internal-error', val: message });
const millis = (nanos: bigint | undefined) => (nanos === undefined ? undefined : Number(nanos / NANOS_PER_MS));
const latin1 = new TextDecoder('latin1');

/** The request's scheme as a URL spells it; https when the guest gave none. */
function schemeOf(request: OutgoingRequest): string {
  const scheme = request.scheme();
  return scheme === undefined ? 'https' : scheme.tag === 'other' ? scheme.val : scheme.tag.toLowerCase();
}

function send(request: OutgoingRequest, options: RequestOptions | undefined, config: Readonly<Record<string, string>>, maxBodyBytes: number): Promise<OutgoingOutcome> {
  const pipe = requestBodyPipe(maxBodyBytes);
  request.sendBodyTo(pipe.consumer);
  const whole = pipe.whole();
  // Read now: the guest gave the request away, and nothing of it changes after this call.
  const outgoing: OutgoingHttpRequest = {
    method: methodToString(request.method()),
    scheme: schemeOf(request),
    authority: request.authority() ?? '',
    pathWithQuery: request.pathWithQuery() ?? '/',
    headers: request.headers().entries().map(([name, value]) => [name, latin1.decode(value)] as const),
    body: whole ?? pipe.chunks,
    bodyOverLimit: pipe.overLimit,
    ...defined('connectTimeoutMs', millis(options?.connectTimeout())),
    ...defined('firstByteTimeoutMs', millis(options?.firstByteTimeout())),
    ...defined('betweenBytesTimeoutMs', millis(options?.betweenBytesTimeout())),
  };
  return (async (): Promise<OutgoingOutcome> => {
    let opened: OpenOutcome;
    try {
      opened = await (await senderFor(config)).open(outgoing);
    } catch (error) {
      pipe.release();
      throw error;
    }
    if ('err' in opened) {
      // The request failed or was refused: undici reads no more of the body, and a guest waiting to write it must not wait for ever.
      pipe.release();
      return opened;
    }
    return { ok: { status: opened.ok.status, headers: opened.ok.headers, body: responseBodySource(opened.ok.body, maxBodyBytes) } };
  })();
}

function defined<Key extends string>(key: Key, value: number | undefined): { [K in Key]?: number } {
  return (value === undefined ? {} : { [key]: value }) as { [K in Key]?: number };
}

export const contract: Contract<HttpClientHandler> = {
  module: import.meta.url,
  package: 'wasi:http',
  versions: '^0.2.0',
  interfaces: [OUTGOING],
  asyncImports: [],
  // A link's config is the same until a link changes, which makes the thread forget it.
  rememberedImports: [`${OUTGOING}#link-config`],

  guestImports(call: RoutedCall) {
    return {
      [OUTGOING]: {
        handle(request: OutgoingRequest, options: RequestOptions | undefined) {
          // Without a link this throws the contract's notLinked: HTTP-request-denied.
          const config = call(OUTGOING, 'link-config', []) as Record<string, string>;
          let parsed: HttpClientLinkConfig;
          try {
            parsed = parseHttpClientLinkConfig(config);
          } catch (error) {
            throw { payload: internal((error as Error).message) };
          }
          // Refused at once, as the WIT allows, rather than through the future.
          if (!allowsRequest(parsed.allowedHosts, schemeOf(request), request.authority() ?? '')) throw { payload: { tag: 'HTTP-request-denied' } satisfies HttpErrorCode };
          return new FutureIncomingResponse(send(request, options, config, parsed.maxBodyBytes));
        },
      },
    };
  },

  dispatch(handler, iface, operation, _args, link) {
    if (`${iface}#${operation}` === `${OUTGOING}#link-config`) return handler.linkConfig(link);
    return undefined;
  },

  notLinked: () => ({ tag: 'HTTP-request-denied' }) satisfies HttpErrorCode,
  failed: (message) => internal(message),
};
