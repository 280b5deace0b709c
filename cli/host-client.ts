import type { KeyPair } from '../claims/index.ts';
import { defaultSocketPath, remoteError, requestLocalHost, type ControlRequest } from '../host/index.ts';
import { defaultKeyDirectory, storedOrNewKey } from './key-store.ts';

/** Sends one control request to the local host and returns its data, or throws its coded error. */
export async function askHost(request: ControlRequest): Promise<unknown> {
  const response = await requestLocalHost(defaultSocketPath(), request);
  if (!response.ok) throw remoteError(response);
  return response.data;
}

/**
 * The key this user's lattice control requests are signed with (`~/.badger/keys/user.nk`, made on
 * first use): hosts started with `--ctl-allow` take requests only from the keys they list.
 */
export async function controlSigner(): Promise<KeyPair> {
  return (await storedOrNewKey(defaultKeyDirectory(), 'user.nk', 'user')).pair;
}
