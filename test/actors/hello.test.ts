import { beforeAll, describe, expect, it } from 'vitest';
import { loadActor, type LoadedActor } from '../fixtures/instantiate-actor.ts';
import { builtActor } from './built-actors.ts';
import { request } from './http-request.ts';

let actor: LoadedActor;

beforeAll(async () => {
  actor = await loadActor(builtActor('hello'));
});

describe('hello (TypeScript, StarlingMonkey)', () => {
  it('greets on GET /', async () => {
    const response = await request(actor, 'GET', '/');
    expect(response.status).toBe(200);
    expect(response.text).toBe('Hello from awesome-badger!\n');
    expect(response.header('content-type')).toBe('text/plain; charset=utf-8');
  });

  it('echoes the message, HTML-escaped', async () => {
    const response = await request(actor, 'GET', `/echo?msg=${encodeURIComponent(`<script>alert("x")</script> & 'y'`)}`);
    expect(response.status).toBe(200);
    expect(response.header('content-type')).toBe('text/html; charset=utf-8');
    expect(response.text).toContain('<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;</p>');
    expect(response.text).not.toContain('<script>');
  });

  it('answers 404 for other paths and 405 for other methods', async () => {
    expect((await request(actor, 'GET', '/nope')).status).toBe(404);
    const post = await request(actor, 'POST', '/', 'x');
    expect(post.status).toBe(405);
    expect(post.header('allow')).toBe('GET');
  });

  it('serves many requests, each from a fresh instance', async () => {
    for (let i = 0; i < 20; i++) {
      expect((await request(actor, 'GET', `/echo?msg=${i}`)).text).toContain(`<p>${i}</p>`);
    }
  });
});
