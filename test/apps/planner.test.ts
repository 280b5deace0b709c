import { describe, expect, it } from 'vitest';
import { planApplication, readManifest, shares, type AppSpec } from '../../apps/index.ts';
import type { HostSummary } from '../../host/lattice/index.ts';

const app = (() => {
  const reading = readManifest(`
apiVersion: core.oam.dev/v1beta1
kind: Application
metadata: { name: shop }
spec:
  components:
    - name: counter
      type: component
      properties: { image: /actors/counter.wasm }
      traits:
        - type: spreadscaler
          properties: { instances: 3, spread: [{ requirements: { zone: a }, weight: 2 }, { requirements: { zone: b }, weight: 1 }] }
        - type: link
          properties: { target: store, namespace: wasi, package: keyvalue, interfaces: [store, atomics], config: { bucket: shop } }
    - name: store
      type: capability
      properties: { kind: keyvalue }
      traits:
        - type: daemonscaler
          properties: { spread: [{ requirements: { kv: "yes" } }] }
`);
  if (!reading.ok) throw new Error(JSON.stringify(reading.problems));
  return reading.app as AppSpec;
})();

const host = (id: string, labels: Record<string, string>, actors: { id: string; maxInstances: number }[] = [], providers: string[] = []): HostSummary => ({
  id,
  lattice: 'default',
  labels,
  version: '0',
  uptimeSeconds: 1,
  actors: actors.map((actor) => ({ ...actor, name: actor.id })),
  providers: providers.map((id) => ({ id, name: id })),
});
const ids = { counter: { id: 'MCOUNTER' } };

describe('the reconciler\'s plan', () => {
  it('splits instances by weight, largest remainders first', () => {
    expect(shares(3, [2, 1])).toEqual([2, 1]);
    expect(shares(5, [1, 1, 1])).toEqual([2, 2, 1]);
    expect(shares(1, [100])).toEqual([1]);
  });

  it('starts each part on a matching host, the provider on every host that matches, and waits with links until the actor runs', () => {
    const hosts = [host('NA', { zone: 'a', kv: 'yes' }), host('NB', { zone: 'b' }), host('NC', { zone: 'c', kv: 'yes' })];
    const plan = planApplication(app, ids, { hosts, links: [] });
    expect(plan.problems).toEqual([]);
    expect(plan.actions).toEqual([
      { host: 'NA', request: { op: 'start-actor', location: '/actors/counter.wasm', maxInstances: 2, config: {} } },
      { host: 'NB', request: { op: 'start-actor', location: '/actors/counter.wasm', maxInstances: 1, config: {} } },
      { host: 'NA', request: { op: 'start-provider', kind: 'keyvalue', id: 'store' } },
      { host: 'NC', request: { op: 'start-provider', kind: 'keyvalue', id: 'store' } },
    ]);
  });

  it('puts the links once the actor runs, and has nothing to do when all is in place', () => {
    const hosts = [host('NA', { zone: 'a', kv: 'yes' }, [{ id: 'MCOUNTER', maxInstances: 2 }], ['store']), host('NB', { zone: 'b' }, [{ id: 'MCOUNTER', maxInstances: 1 }])];
    const plan = planApplication(app, ids, { hosts, links: [] });
    expect(plan.actions.map((action) => [action.request.op, (action.request as { interface?: string }).interface])).toEqual([
      ['put-link', 'wasi:keyvalue/store'],
      ['put-link', 'wasi:keyvalue/atomics'],
    ]);
    const links = ['wasi:keyvalue/store', 'wasi:keyvalue/atomics'].map((iface) => ({ source: 'MCOUNTER', target: 'store', interface: iface, name: 'default', config: { bucket: 'shop' } }));
    expect(planApplication(app, ids, { hosts, links })).toEqual({ actions: [], problems: [] });
  });

  it('re-places the part of a host that left on another match, and says when nothing matches', () => {
    const survivors = [host('NA', { zone: 'a', kv: 'yes' }, [{ id: 'MCOUNTER', maxInstances: 2 }], ['store']), host('NB2', { zone: 'b' })];
    expect(planApplication(app, ids, { hosts: survivors, links: [] }).actions[0]).toEqual({ host: 'NB2', request: { op: 'start-actor', location: '/actors/counter.wasm', maxInstances: 1, config: {} } });
    const plan = planApplication(app, ids, { hosts: [survivors[0]!], links: [] });
    expect(plan.problems).toEqual(['counter: no host has zone=b']);
  });

  it('honours the spread when a matching host arrives: the daemon provider goes there too, and a part that had no host gets one', () => {
    const before = [host('NA', { zone: 'a', kv: 'yes' }, [{ id: 'MCOUNTER', maxInstances: 2 }], ['store'])];
    expect(planApplication(app, ids, { hosts: before, links: [] }).problems).toEqual(['counter: no host has zone=b']);
    const arrived = [...before, host('NNEW', { zone: 'b', kv: 'yes' })];
    const plan = planApplication(app, ids, { hosts: arrived, links: [] });
    expect(plan.problems).toEqual([]);
    expect(plan.actions.filter((action) => action.host === 'NNEW')).toEqual([
      { host: 'NNEW', request: { op: 'start-actor', location: '/actors/counter.wasm', maxInstances: 1, config: {} } },
      { host: 'NNEW', request: { op: 'start-provider', kind: 'keyvalue', id: 'store' } },
    ]);
  });

  it('keeps an actor where it runs rather than moving it to a less loaded host, and scales it there', () => {
    const hosts = [host('NA1', { zone: 'a' }, [{ id: 'MCOUNTER', maxInstances: 1 }, { id: 'MOTHER', maxInstances: 1 }]), host('NA2', { zone: 'a' }), host('NB', { zone: 'b' }, [{ id: 'MCOUNTER', maxInstances: 1 }])];
    const plan = planApplication(app, ids, { hosts, links: [] });
    expect(plan.actions.filter((action) => action.request.op !== 'put-link')).toEqual([{ host: 'NA1', request: { op: 'scale-actor', actor: 'MCOUNTER', maxInstances: 2 } }]);
  });

  it('takes everything away on undeploy: links first, then actors and providers, and nothing it does not own', () => {
    const hosts = [host('NA', { zone: 'a', kv: 'yes' }, [{ id: 'MCOUNTER', maxInstances: 2 }, { id: 'MOTHER', maxInstances: 1 }], ['store', 'kv-other'])];
    const links = [
      { source: 'MCOUNTER', target: 'store', interface: 'wasi:keyvalue/store', name: 'default', config: {} },
      { source: 'MOTHER', target: 'kv-other', interface: 'wasi:keyvalue/store', name: 'default', config: {} },
    ];
    expect(planApplication(app, ids, { hosts, links }, false).actions).toEqual([
      { host: 'NA', request: { op: 'del-link', source: 'MCOUNTER', interface: 'wasi:keyvalue/store', name: 'default' } },
      { host: 'NA', request: { op: 'stop-actor', actor: 'MCOUNTER' } },
      { host: 'NA', request: { op: 'stop-provider', id: 'store' } },
    ]);
  });

  it('names an image that could not be read as the problem', () => {
    const plan = planApplication(app, { counter: { unreadable: 'cannot read /actors/counter.wasm: ENOENT' } }, { hosts: [host('NA', { zone: 'a', kv: 'yes' })], links: [] });
    expect(plan.problems).toEqual(['counter: cannot read /actors/counter.wasm: ENOENT']);
  });
});
