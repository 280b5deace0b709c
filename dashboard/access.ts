import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

/** Pure: whether an address only this machine can reach is what the server binds to. */
export function isLoopback(bind: string): boolean {
  if (bind === 'localhost') return true;
  if (isIP(bind) === 4) return bind.startsWith('127.');
  return bind === '::1';
}

export const TOKEN_COOKIE = 'badger_ui_token';

/** What a request offers as its token: a bearer header, the cookie the page got, or `?token=` in the URL. */
export interface Offered {
  readonly authorization?: string | undefined;
  readonly cookie?: string | undefined;
  readonly queryToken?: string | null | undefined;
}

/** Pure: the token the request carries, from wherever it carries it. */
export function offeredToken(offered: Offered): string | undefined {
  const bearer = /^Bearer (.+)$/.exec(offered.authorization ?? '')?.[1];
  const cookie = (offered.cookie ?? '')
    .split(';')
    .map((part) => part.trim().split('='))
    .find(([name]) => name === TOKEN_COOKIE)?.[1];
  return bearer ?? (offered.queryToken || undefined) ?? cookie;
}

/** Pure: a dashboard with no token lets anyone in (it binds to loopback only); with one, only its bearer. */
export function allowed(token: string | undefined, offered: Offered): boolean {
  if (token === undefined) return true;
  const given = offeredToken(offered);
  if (given === undefined) return false;
  const [a, b] = [Buffer.from(given), Buffer.from(token)];
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Pure: the host names a request may name in its `Host` header: loopback names and addresses, the
 * address bound to (every interface's, for a wildcard bind) and the names given with
 * --public-host. Anything else is a page on another name, such as a DNS rebinding attack's.
 */
export function hostAllowList(bind: string, publicHosts: readonly string[], interfaceAddresses: readonly string[]): string[] {
  const wildcard = bind === '0.0.0.0' || bind === '::';
  const names = ['localhost', '127.0.0.1', '::1', ...(wildcard ? interfaceAddresses : [bind]), ...publicHosts];
  return [...new Set(names.map((name) => name.toLowerCase().replace(/^\[(.*)\]$/, '$1')))];
}

/** Pure: the host name of a `Host` header or an origin's authority, without its port or IPv6 brackets. */
function hostName(authority: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(authority);
  if (bracketed) return bracketed[1]!.toLowerCase();
  return authority.replace(/:\d+$/, '').toLowerCase();
}

function listed(name: string, allowList: readonly string[]): boolean {
  return allowList.includes(name) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/** Pure: whether a request's `Host` header names this dashboard. */
export function hostAllowed(host: string | undefined, allowList: readonly string[]): boolean {
  return host !== undefined && listed(hostName(host), allowList);
}

/**
 * Pure: whether a state-changing request comes from the dashboard's own page: JSON, from an origin
 * on the allow-list (never judged against the request's own Host, which a rebinding attacker
 * chooses). A page elsewhere cannot send JSON without a preflight this server never grants.
 */
export function sameOrigin(contentType: string | undefined, origin: string | undefined, allowList: readonly string[]): boolean {
  if (!contentType?.startsWith('application/json')) return false;
  if (origin === undefined) return true;
  const match = /^http:\/\/([^/]+)$/.exec(origin);
  return match !== null && listed(hostName(match[1]!), allowList);
}
