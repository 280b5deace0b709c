import { HttpClientError } from './errors.ts';

/**
 * Where an actor may send requests, as a link's `allowed_hosts` says, in the spirit of Spin's
 * `allowed_outbound_hosts`: nothing unless listed. A pattern is a host (`api.example.com`, an IPv4
 * address, `[::1]`), `*.example.com` for its subdomains (not the name itself), or `*` for any host;
 * then `:port`, or `:*` for any port. Without a port only the scheme's default port is allowed
 * (80 for http, 443 for https).
 */
export interface HostPattern {
  /** Lower case, without a trailing dot; an IPv6 address keeps its brackets. Empty for `*`. */
  readonly host: string;
  /** `*.example.com`: subdomains of `host`. */
  readonly subdomains: boolean;
  /** undefined: the scheme's default port; 'any': `:*`. */
  readonly port: number | 'any' | undefined;
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = { http: 80, https: 443 };
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^\[[0-9a-f:.]{2,45}\]$/;

/** Parses `allowed_hosts` (comma-separated patterns); every problem names the pattern. */
export function parseAllowedHosts(text: string): HostPattern[] {
  const patterns = text
    .split(',')
    .map((pattern) => pattern.trim())
    .filter((pattern) => pattern.length > 0);
  if (patterns.length === 0) throw bad('allowed_hosts is empty: list the hosts the actor may call (for example allowed_hosts=api.example.com,127.0.0.1:8080)');
  return patterns.map(parsePattern);
}

function parsePattern(pattern: string): HostPattern {
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\*|\d{1,5}))?$/.exec(pattern);
  if (!match) throw bad(`"${pattern}" is not host, host:port or host:* (a scheme or path does not belong here)`);
  const port = match[2] === undefined ? undefined : match[2] === '*' ? 'any' : Number(match[2]);
  if (typeof port === 'number' && (port < 1 || port > 65535)) throw bad(`"${pattern}" has no valid port`);
  const raw = match[1]!.toLowerCase();
  if (raw === '*') return { host: '', subdomains: true, port };
  const subdomains = raw.startsWith('*.');
  const host = normalHost(subdomains ? raw.slice(2) : raw);
  if (host === undefined || (subdomains && !isName(host))) throw bad(`"${pattern}" names no host (a name, an IPv4 address or [IPv6], optionally *. before a name)`);
  return { host, subdomains, port };
}

/**
 * Whether a request to `scheme://authority` may go out. The authority is the request's own, as
 * the guest set it: anything but host[:port] (user info, a path, spaces) is refused outright,
 * rather than read one way here and another by the HTTP client.
 */
export function allowsRequest(patterns: readonly HostPattern[], scheme: string, authority: string): boolean {
  const defaultPort = DEFAULT_PORTS[scheme.toLowerCase()];
  if (defaultPort === undefined) return false;
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(authority);
  if (!match) return false;
  const host = normalHost(match[1]!.toLowerCase());
  const port = match[2] === undefined ? defaultPort : Number(match[2]);
  if (host === undefined || port < 1 || port > 65535) return false;
  return patterns.some((pattern) => hostMatches(pattern, host) && (pattern.port === 'any' || (pattern.port ?? defaultPort) === port));
}

function hostMatches(pattern: HostPattern, host: string): boolean {
  if (!pattern.subdomains) return pattern.host === host;
  if (pattern.host === '') return true;
  return isName(host) && host.endsWith(`.${pattern.host}`);
}

/** A host in lower case without its trailing dot, or undefined when it is not a name or an address. */
function normalHost(host: string): string | undefined {
  if (IPV6.test(host)) return host;
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (IPV4.test(name)) return name;
  return isName(name) ? name : undefined;
}

/** A DNS name; one whose last label is all digits is not (a resolver could read `2130706433` as 127.0.0.1). */
function isName(host: string): boolean {
  const labels = host.split('.');
  return host.length <= 253 && labels.every((label) => LABEL.test(label)) && !/^\d+$/.test(labels.at(-1)!);
}

function bad(message: string): HttpClientError {
  return new HttpClientError('HTTP_CLIENT_BAD_LINK_CONFIG', `http-client link config: ${message}`);
}
