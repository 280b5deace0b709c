import { defaultSocketPath, HostError, requestLocalHost, type ControlRequest } from '../host/index.ts';

/** Sends one control request to the local host and returns its data, or throws its coded error. */
export async function askHost(request: ControlRequest): Promise<unknown> {
  const response = await requestLocalHost(defaultSocketPath(), request);
  if (!response.ok) throw new HostError(response.code as never, response.message);
  return response.data;
}

/** `k=v` options into a map, refusing anything without an `=`. */
export function keyValuePairs(pairs: readonly string[], option: string): Record<string, string> {
  const entries = pairs.map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0) throw new HostError('CONTROL_MALFORMED', `${option} takes key=value, not "${pair}"`);
    return [pair.slice(0, at), pair.slice(at + 1)] as const;
  });
  return Object.fromEntries(entries);
}

export const collect = (value: string, previous: string[]) => [...previous, value];
