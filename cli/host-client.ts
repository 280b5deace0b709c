import { defaultSocketPath, HostError, requestLocalHost, type ControlRequest } from '../host/index.ts';

/** Sends one control request to the local host and returns its data, or throws its coded error. */
export async function askHost(request: ControlRequest): Promise<unknown> {
  const response = await requestLocalHost(defaultSocketPath(), request);
  if (!response.ok) throw new HostError(response.code as never, response.message);
  return response.data;
}
