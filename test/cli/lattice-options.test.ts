import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../claims/index.ts';
import { memberRefusal } from '../../host/lattice/index.ts';
import { isLoopbackUrl, membershipFrom, unlockedWarning } from '../../cli/lattice-options.ts';

describe('what a member says of its lattice', () => {
  it('tells a NATS server on this machine from one elsewhere', () => {
    expect(['nats://127.0.0.1:4222', 'nats://localhost:4222', 'nats://[::1]:4222', 'nats://user:pw@127.0.0.2:4222', 'nats://127.0.0.1:1,nats://localhost:2', 'nats://[::ffff:127.0.0.1]:4222'].map(isLoopbackUrl)).toEqual([true, true, true, true, true, true]);
    expect(['nats://hub.local:4222', 'nats://10.0.0.2:4222', 'nats-leaf://raspberrypi.local:7422', 'nats://127.0.0.1:1,nats://hub:2', 'nats://127.0.0.1.evil.example:4222'].map(isLoopbackUrl)).toEqual([false, false, false, false, false]);
    expect(unlockedWarning('nats://hub.local:4222')).toMatch(/^warning: lattice on nats:\/\/hub\.local:4222 is unlocked: anyone who can connect to this NATS server controls this host/);
  });

  it('is unlocked without trust options, and locked and vouched for with them', async () => {
    const host = generateKeyPair('host');
    expect(await membershipFrom({ ctlAllow: [], clusterIssuer: [] }, host, 'home')).toEqual({ trust: { operators: [], clusterIssuers: [] }, notes: [] });
    const cluster = generateKeyPair('cluster');
    const seeded = await membershipFrom({ ctlAllow: [], clusterIssuer: [], clusterSeed: cluster.seed }, host, 'home');
    expect(seeded.trust.clusterIssuers).toEqual([cluster.publicKey]);
    expect(memberRefusal(seeded.trust, 'home', host.publicKey, seeded.voucher)).toBeUndefined();
    expect(memberRefusal(seeded.trust, 'other', host.publicKey, seeded.voucher)).toMatch(/for lattice home, not other/);
    const alone = await membershipFrom({ ctlAllow: [generateKeyPair('user').publicKey], clusterIssuer: [] }, host, 'home');
    expect(alone.notes).toEqual([expect.stringContaining('vouches for itself')]);
    await expect(membershipFrom({ ctlAllow: [], clusterIssuer: [generateKeyPair('account').publicKey] }, host, 'home')).rejects.toMatchObject({ code: 'CLI_BAD_ARGUMENT' });
  });
});
