import { describe, expect, it } from 'vitest';
import { allowed, hostAllowed, hostAllowList, isLoopback, offeredToken, sameOrigin } from '../../dashboard/index.ts';
import { pixelsFromPages, pixelsFromRows } from '../../dashboard/web/panel-pixels.ts';

describe('who may use the dashboard', () => {
  it('knows loopback addresses from the rest', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', 'localhost'].map(isLoopback)).toEqual([true, true, true, true]);
    expect(['0.0.0.0', '192.168.1.20', '::', 'pi.local'].map(isLoopback)).toEqual([false, false, false, false]);
  });

  it('takes the token from a bearer header, the URL or its cookie, and only the right one', () => {
    expect(offeredToken({ authorization: 'Bearer abc' })).toBe('abc');
    expect(offeredToken({ queryToken: 'q' })).toBe('q');
    expect(offeredToken({ cookie: 'other=1; badger_ui_token=c' })).toBe('c');
    expect(allowed(undefined, {})).toBe(true);
    expect(allowed('secret', {})).toBe(false);
    expect(allowed('secret', { authorization: 'Bearer secreT' })).toBe(false);
    expect(allowed('secret', { cookie: 'badger_ui_token=secret' })).toBe(true);
  });

  it('takes actions only as JSON from an origin on its allow-list', () => {
    const hosts = hostAllowList('127.0.0.1', [], []);
    expect(sameOrigin('application/json', 'http://127.0.0.1:3000', hosts)).toBe(true);
    expect(sameOrigin('application/json', 'http://localhost:3000', hosts)).toBe(true);
    expect(sameOrigin('application/json', undefined, hosts)).toBe(true);
    expect(sameOrigin('application/json', 'http://evil.example', hosts)).toBe(false);
    expect(sameOrigin('application/json', 'http://evil.example:3000', hosts)).toBe(false);
    expect(sameOrigin('text/plain', 'http://127.0.0.1:3000', hosts)).toBe(false);
  });

  it('answers to loopback names, the bound address and --public-host names only', () => {
    const hosts = hostAllowList('0.0.0.0', ['Pi.local'], ['10.0.0.7', 'fe80::1']);
    expect(['127.0.0.1:3000', 'localhost:3000', '[::1]:3000', '127.5.6.7', 'pi.local:3000', '10.0.0.7:3000', '[fe80::1]:3000'].map((host) => hostAllowed(host, hosts))).toEqual([true, true, true, true, true, true, true]);
    expect(['evil.example:3998', 'evil.example', '127.0.0.1.evil.example', undefined].map((host) => hostAllowed(host, hosts))).toEqual([false, false, false, false]);
    expect(hostAllowed('10.0.0.7', hostAllowList('127.0.0.1', [], ['10.0.0.7']))).toBe(false);
  });
});

describe('the page\'s panel decoders', () => {
  it('read a snapshot\'s rows and a frame\'s pages into the same pixels', () => {
    // One lit pixel at (9, 10) of a 16×16 panel, in each layout.
    const rows = new Uint8Array(2 * 16);
    rows[10 * 2 + 1] = 0x80 >> 1;
    const pages = new Uint8Array(16 * 2);
    pages[1 * 16 + 9] = 1 << 2;
    const fromRows = pixelsFromRows(Buffer.from(rows).toString('base64'), 16, 16);
    const fromPages = pixelsFromPages(Buffer.from(pages).toString('base64'), 16, 16);
    expect([...fromRows.entries()].filter(([, lit]) => lit).map(([index]) => index)).toEqual([10 * 16 + 9]);
    expect(fromPages).toEqual(fromRows);
  });
});
