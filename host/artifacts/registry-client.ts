import { HostError } from '../errors.ts';
import { isLoopbackRegistry } from './oci-reference.ts';
import { DEFAULT_FETCH_TIMEOUTS, timedFetch, type FetchTimeouts, type TimedResponse } from './timed-fetch.ts';

export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
  /** Where they came from, for an error that says which ones were refused. */
  readonly source: string;
}

/** A challenge of a `WWW-Authenticate` header: its scheme and parameters. */
export interface AuthChallenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

/** Pure: the first challenge of a `WWW-Authenticate` header (`Bearer realm="…",service="…"`). */
export function parseAuthChallenge(header: string): AuthChallenge | undefined {
  const match = /^\s*([A-Za-z][\w-]*)\s*(.*)$/.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const [, key, quoted, bare] of match[2]!.matchAll(/([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g)) {
    params[key!.toLowerCase()] = quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : bare!;
  }
  return { scheme: match[1]!.toLowerCase(), params };
}

const basic = (credentials: RegistryCredentials) => `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
/** A token answer is a few hundred bytes to a few KiB. */
const MAX_TOKEN_ANSWER_BYTES = 64 * 1024;

/**
 * The HTTP side of one registry: every call timed, and authenticated as the registry asks, by
 * basic credentials or by a bearer token from its token service (the Docker Registry token
 * flow), fetched on the first 401 and again when a call needs a wider scope.
 */
export class RegistryClient {
  readonly baseUrl: string;
  readonly #registry: string;
  readonly #credentials: RegistryCredentials | undefined;
  readonly #insecure: boolean;
  readonly timeouts: FetchTimeouts;
  #authorization: string | undefined;

  /** `baseUrl` is `http(s)://host[:port]`, from registryBaseUrl. */
  constructor(baseUrl: string, options: { credentials?: RegistryCredentials; insecure?: boolean; timeouts?: FetchTimeouts } = {}) {
    this.baseUrl = baseUrl;
    this.#registry = new URL(baseUrl).host;
    this.#credentials = options.credentials;
    this.#insecure = options.insecure ?? false;
    this.timeouts = options.timeouts ?? DEFAULT_FETCH_TIMEOUTS;
  }

  /** Sends a call to `path` (under the base URL, or a URL on the registry itself), answering its challenge once. */
  async send(path: string | URL, init: RequestInit & { headers?: Record<string, string> }, what: string): Promise<TimedResponse> {
    const url = typeof path === 'string' ? `${this.baseUrl}${path}` : path;
    const attempt = () => timedFetch(url, { ...init, redirect: 'follow', headers: { ...init.headers, ...(this.#authorization ? { authorization: this.#authorization } : {}) } }, this.timeouts, what);
    const first = await attempt().catch((error: unknown) => {
      throw this.#plainHttpHint(error);
    });
    if (first.response.status !== 401) return first;
    const challenge = parseAuthChallenge(first.response.headers.get('www-authenticate') ?? '');
    first.discard();
    const before = this.#authorization;
    this.#authorization = await this.#answer(challenge, what);
    if (before === this.#authorization) return this.#rejected(await attempt(), what);
    const second = await attempt();
    return second.response.status === 401 ? this.#rejected(second, what) : second;
  }

  /** A registry that speaks plain HTTP fails HTTPS's handshake: the error says what allows it. */
  #plainHttpHint(error: unknown): unknown {
    if (!(error instanceof HostError) || error.code !== 'ARTIFACT_UNREADABLE' || !this.baseUrl.startsWith('https:')) return error;
    return new HostError('ARTIFACT_UNREADABLE', `${error.message}; if the registry at ${this.#registry} speaks plain HTTP, give --insecure (its bytes can then be changed by anyone on the way, until their digest is checked)`);
  }

  async #answer(challenge: AuthChallenge | undefined, what: string): Promise<string | undefined> {
    if (challenge?.scheme === 'basic') {
      if (!this.#credentials) throw this.#needsCredentials(what);
      return basic(this.#credentials);
    }
    if (challenge?.scheme === 'bearer' && challenge.params.realm) return this.#token(challenge, what);
    throw new HostError('ARTIFACT_REGISTRY_REFUSED', `${what}: the registry at ${this.#registry} answered 401 with no challenge this client answers (${challenge?.scheme ?? 'none'})`);
  }

  /** A bearer token from the realm the registry names, asked for with the credentials when there are any. */
  async #token(challenge: AuthChallenge, what: string): Promise<string> {
    let realm: URL;
    try {
      realm = new URL(challenge.params.realm!);
    } catch {
      throw new HostError('ARTIFACT_REGISTRY_REFUSED', `${what}: the registry's token realm "${challenge.params.realm}" is not a URL`);
    }
    // Credentials go to the token service in the clear only where they would go to the registry so.
    if (realm.protocol !== 'https:' && !(realm.protocol === 'http:' && (this.#insecure || isLoopbackRegistry(realm.host)))) {
      throw new HostError('ARTIFACT_REGISTRY_REFUSED', `${what}: the registry's token realm ${realm.origin} is not https; give --insecure to allow it`);
    }
    if (challenge.params.service) realm.searchParams.set('service', challenge.params.service);
    if (challenge.params.scope) realm.searchParams.set('scope', challenge.params.scope);
    const answer = await timedFetch(realm, { headers: this.#credentials ? { authorization: basic(this.#credentials) } : {} }, this.timeouts, `asking ${realm.origin} for a token`);
    if (answer.response.status === 401 || answer.response.status === 403) {
      answer.discard();
      throw this.#credentials ? this.#credentialsRefused(what) : this.#needsCredentials(what);
    }
    if (answer.response.status !== 200) throw await refused(`${what}: asking ${realm.origin} for a token`, answer);
    const body = await answer.body(MAX_TOKEN_ANSWER_BYTES, `the token answer of ${realm.origin}`);
    let token: unknown;
    try {
      const parsed = JSON.parse(new TextDecoder().decode(body)) as { token?: unknown; access_token?: unknown };
      token = parsed.token ?? parsed.access_token;
    } catch {
      token = undefined;
    }
    if (typeof token !== 'string' || token === '') throw new HostError('ARTIFACT_REGISTRY_REFUSED', `${what}: the token service ${realm.origin} answered without a token`);
    return `Bearer ${token}`;
  }

  async #rejected(answer: TimedResponse, what: string): Promise<TimedResponse> {
    if (answer.response.status !== 401) return answer;
    answer.discard();
    throw this.#credentials ? this.#credentialsRefused(what) : this.#needsCredentials(what);
  }

  #needsCredentials(what: string): HostError {
    return new HostError(
      'ARTIFACT_REGISTRY_AUTH',
      `${what}: the registry at ${this.#registry} needs credentials: give --user and --password, set BADGER_REGISTRY_USER and BADGER_REGISTRY_PASSWORD, or docker login ${this.#registry}`,
    );
  }

  #credentialsRefused(what: string): HostError {
    return new HostError('ARTIFACT_REGISTRY_AUTH', `${what}: the registry at ${this.#registry} refused the credentials of ${this.#credentials!.source} (user ${this.#credentials!.username})`);
  }
}

/** A refusal naming what was asked and the registry's answer (the first 300 bytes of at most 4 KiB it read of it). */
export async function refused(what: string, answer: TimedResponse): Promise<HostError> {
  const said = await answer.body(4096, 'an error answer').catch(() => new Uint8Array());
  const body = new TextDecoder().decode(said.subarray(0, 300)).trim();
  const { status, statusText } = answer.response;
  return new HostError('ARTIFACT_REGISTRY_REFUSED', `${what}: the registry answered ${status} ${statusText}${body ? `: ${body}` : ''}`.trim());
}
