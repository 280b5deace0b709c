import { describe, expect, it } from 'vitest';
import { latticePermissions, leafConfig } from '../../../host/lattice/index.ts';

describe('the permissions of a lattice\'s NATS users', () => {
  it('let operators ask health, and the providers\' named services they are given, and nothing else on RPC subjects', () => {
    expect(latticePermissions('home').operator.publish).toEqual(['badger.ctl.v1.home.>', 'badger.rpc.home.*.health']);
    expect(latticePermissions('home', ['snapshot']).operator.publish).toEqual(['badger.ctl.v1.home.>', 'badger.rpc.home.*.health', 'badger.rpc.home.*.snapshot']);
  });

  it('refuse a service name that would widen the subject (a wildcard, a dot, a space)', () => {
    for (const name of ['>', '*', 'snap.shot', 'snap shot', 'Snapshot', '']) {
      expect(() => latticePermissions('home', [name])).toThrow(expect.objectContaining({ code: 'LATTICE_BAD_NAME' }));
    }
  });
});

describe('the config of a leaf node', () => {
  it('lists every hub URL in one remote, so that the leaf moves to another member of a cluster when its own goes', () => {
    const config = leafConfig({ host: '127.0.0.1', port: 4222, remoteUrls: ['nats-leaf://a:7422', 'nats-leaf://b:7423'], credentials: '/keys/hub.creds' });
    expect(config).toContain('remotes: [ { urls: [ "nats-leaf://a:7422", "nats-leaf://b:7423" ], credentials: "/keys/hub.creds" } ]');
  });
});
