import { describe, expect, it } from 'vitest';
import { callIncomingHandler, type IncomingHandlerExport } from '../../providers/http-server/index.ts';
import { builtActor } from './built-actors.ts';
import { instantiateActor } from '../fixtures/instantiate-actor.ts';

describe('hello-wat', () => {
  it('answers every request with the greeting, through real wasi:http resources', async () => {
    const exports = await instantiateActor(builtActor('hello-wat'));
    const handler = exports.incomingHandler as IncomingHandlerExport;
    const response = await callIncomingHandler(handler, {
      method: 'GET', pathWithQuery: '/', scheme: 'http', authority: 'localhost', headers: [], body: new Uint8Array(),
    });
    expect(response.status).toBe(200);
    expect(response.headers).toEqual([['content-type', 'text/plain; charset=utf-8']]);
    expect(new TextDecoder().decode(response.body)).toBe('Hello from awesome-badger!\n');
  });
});
