import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClaimsToken, readTopLevelToken } from '../../claims/index.ts';
import { defaultPolicy, Host } from '../../host/index.ts';
import { HTTP_INCOMING_HANDLER, httpServerProvider } from '../../providers/http-server/index.ts';
import { builtActor } from '../actors/built-actors.ts';
import { freePort } from '../fixtures/nats-server.ts';

let host: Host;
let http: ReturnType<typeof httpServerProvider>;

beforeAll(async () => {
  const issuer = decodeClaimsToken(readTopLevelToken(await readFile(builtActor('hello-wat')))!).iss;
  host = new Host({ cacheDir: await mkdtemp(join(tmpdir(), 'badger-restart-')), policy: defaultPolicy([issuer]), logger: pino({ level: 'silent' }) });
  http = httpServerProvider();
  await host.startProvider(http);
});

afterAll(async () => {
  await host.shutdown();
});

const status = (address: string) => fetch(`http://${address}/`).then((response) => response.status, () => 'refused');
const healthOf = async (source: string) => (await host.linksWithHealth()).find((link) => link.source === source && link.interface === HTTP_INCOMING_HANDLER)?.health;

describe('an actor stopped and started again', () => {
  it('gets its HTTP listener back, on the address its link names', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const first = await host.startActor(builtActor('hello-wat'));
    await host.putLink({ source: first.id, interface: HTTP_INCOMING_HANDLER, target: http.id, config: { address } });
    expect(await status(address)).toBe(200);
    await host.stopActor(first.id);
    expect(await status(address)).toBe('refused');
    expect(host.links.query({ source: first.id })).toHaveLength(1);
    const again = await host.startActor(builtActor('hello-wat'));
    expect(again.id).toBe(first.id);
    expect(await status(address)).toBe(200);
    expect(await healthOf(again.id)).toMatchObject({ healthy: true });
  });

  it('says in the link\'s health why its listener could not come back', async () => {
    const id = host.actorId('hello-wat');
    const address = http.addresses().find((served) => served.actor === id)!.address;
    await host.stopActor(id);
    // Another program takes the address while the actor is down.
    const squatter = createServer();
    const [hostName, port] = address.split(':');
    await new Promise<void>((resolve) => squatter.listen(Number(port), hostName, resolve));
    try {
      await host.startActor(builtActor('hello-wat'));
      expect(await healthOf(id)).toEqual({ healthy: false, message: expect.stringMatching(/could not take the link again .*in use/) });
    } finally {
      squatter.close();
    }
  });
});
