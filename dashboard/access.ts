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
 * Pure: whether a state-changing request comes from the dashboard's own page. A page elsewhere
 * cannot send JSON to it without a preflight this server never grants, nor forge the Origin.
 */
export function sameOrigin(contentType: string | undefined, origin: string | undefined, host: string | undefined): boolean {
  if (!contentType?.startsWith('application/json')) return false;
  return origin === undefined || origin === `http://${host}`;
}
