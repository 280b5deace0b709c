import { describe, expect, it } from 'vitest';
import { loadActor } from '../fixtures/instantiate-actor.ts';
import { builtActor } from './built-actors.ts';
import { request } from './http-request.ts';

describe('hello-wat', () => {
  it('answers every request with the greeting, through real wasi:http resources, from one instance', async () => {
    const instance = await (await loadActor(builtActor('hello-wat'))).instantiate();
    for (const path of ['/', '/anything?x=1']) {
      const response = await request(instance, 'GET', path);
      expect(response.status).toBe(200);
      expect(response.headers).toEqual([['content-type', 'text/plain; charset=utf-8']]);
      expect(response.text).toBe('Hello from awesome-badger!\n');
    }
  });
});
