import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appOperations, fileAppStore, startReconciler, type ObservedLattice } from '../../apps/index.ts';
import type { ControlRequest, ControlResponse } from '../../host/index.ts';
import type { HostSummary } from '../../host/lattice/index.ts';

const MANIFEST = `apiVersion: core.oam.dev/v1beta1
kind: Application
metadata: { name: tiny }
spec:
  components:
    - name: greeter
      type: component
      properties: { image: /greeter.wasm }
`;

/** A lattice of one host, as far as the reconciler can tell: it runs what it is told to. */
function oneHost(refuse?: string) {
  const actors: { id: string; name: string; maxInstances: number }[] = [];
  const host = (): HostSummary => ({ id: 'NHOST', lattice: 'default', labels: {}, version: '0', uptimeSeconds: 1, actors: [...actors], providers: [] });
  const sent: ControlRequest[] = [];
  return {
    sent,
    observe: async (): Promise<ObservedLattice> => ({ hosts: [host()], links: [] }),
    perform: async (_target: string, request: ControlRequest): Promise<ControlResponse> => {
      sent.push(request);
      if (refuse) return { ok: false, code: 'POLICY_UNSIGNED_DENIED', message: refuse };
      if (request.op === 'start-actor') actors.push({ id: 'MGREETER', name: 'greeter', maxInstances: request.maxInstances ?? 1 });
      if (request.op === 'stop-actor') actors.length = 0;
      return { ok: true, data: {} };
    },
  };
}

async function reconcilerOver(lattice: ReturnType<typeof oneHost>, leader = true) {
  const store = fileAppStore(await mkdtemp(join(tmpdir(), 'badger-reconciler-')));
  const reconciler = startReconciler(
    { store, ...lattice, actorIdOf: async () => 'MGREETER', leader: async () => leader, now: () => new Date(0), warn: () => {} },
    60_000,
  );
  return { store, reconciler, apps: appOperations(store, () => {}, () => new Date(0)) };
}

describe('the reconciler loop', () => {
  it('goes reconciling → deployed, and on undeploy takes the actor away and forgets the application', async () => {
    const lattice = oneHost();
    const { reconciler, apps } = await reconcilerOver(lattice);
    expect(await apps.deploy(MANIFEST)).toMatchObject({ name: 'tiny', state: 'reconciling' });
    await reconciler.reconcile();
    expect(lattice.sent).toEqual([{ op: 'start-actor', location: '/greeter.wasm', maxInstances: 1, config: {} }]);
    expect(await apps.status('tiny')).toMatchObject({ state: 'reconciling' });
    await reconciler.reconcile();
    expect(await apps.status('tiny')).toMatchObject({ state: 'deployed', reasons: [] });
    await apps.undeploy('tiny');
    await reconciler.reconcile();
    expect(lattice.sent.at(-1)).toEqual({ op: 'stop-actor', actor: 'MGREETER' });
    await reconciler.reconcile();
    expect(await apps.list()).toEqual([]);
    await expect(apps.status('tiny')).rejects.toMatchObject({ code: 'APP_NOT_FOUND' });
    await reconciler.stop();
  });

  it('records a refused operation as the reason the application failed', async () => {
    const lattice = oneHost('the policy takes signed components only');
    const { reconciler, apps } = await reconcilerOver(lattice);
    await apps.deploy(MANIFEST);
    await reconciler.reconcile();
    expect(await apps.status('tiny')).toMatchObject({
      state: 'failed',
      reasons: ['start actor /greeter.wasm on NHOST: POLICY_UNSIGNED_DENIED: the policy takes signed components only'],
    });
    await reconciler.stop();
  });

  it('does nothing while another host leads', async () => {
    const lattice = oneHost();
    const { reconciler, apps } = await reconcilerOver(lattice, false);
    await apps.deploy(MANIFEST);
    await reconciler.reconcile();
    expect(lattice.sent).toEqual([]);
    await reconciler.stop();
  });

  it('refuses an invalid manifest with the line and column of each problem', async () => {
    const { reconciler, apps } = await reconcilerOver(oneHost());
    await expect(apps.deploy('kind: Application\n')).rejects.toMatchObject({ code: 'APP_INVALID', message: expect.stringMatching(/^1:1: apiVersion is missing/) });
    await reconciler.stop();
  });
});
