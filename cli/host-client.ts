import type { KeyPair } from '../claims/index.ts';
import { localControlClient, type ControlOp, type ControlReplies, type ControlRequestOf } from '../host/index.ts';
import { defaultKeyDirectory, storedOrNewKey } from './key-store.ts';

/** Sends one control request to the local host and returns its typed answer, or throws its coded error. */
export function askHost<Op extends ControlOp>(request: ControlRequestOf<Op>): Promise<ControlReplies[Op]> {
  return localControlClient().request(request);
}

/**
 * The key this user's lattice control requests are signed with (`~/.badger/keys/user.nk`, made on
 * first use): hosts started with `--ctl-allow` take requests only from the keys they list.
 */
export async function controlSigner(): Promise<KeyPair> {
  return (await storedOrNewKey(defaultKeyDirectory(), 'user.nk', 'user')).pair;
}
