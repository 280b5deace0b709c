import { createHash } from 'node:crypto';
import { HostError } from '../errors.ts';

/** Where a registry is and how to authenticate to it (an `Authorization` header's value). */
export interface RegistryAccess {
  /** `http(s)://host[:port]`, from registryBaseUrl. */
  readonly baseUrl: string;
  readonly authorization?: string;
}

export const sha256Digest = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** The headers of a call to the registry: its credentials, if any, and `more`. */
export const headersOf = (access: RegistryAccess, more: Record<string, string> = {}) => ({ ...(access.authorization ? { authorization: access.authorization } : {}), ...more });

/** A refusal naming what was asked and the registry's answer (the first 300 bytes of at most 4 KiB it read of it). */
export async function refused(what: string, response: Response): Promise<HostError> {
  const said = await bodyWithin(response, 4096, 'an error answer').catch(() => new Uint8Array());
  const body = new TextDecoder().decode(said.subarray(0, 300));
  return new HostError('ARTIFACT_REGISTRY_REFUSED', `${what}: the registry answered ${response.status} ${response.statusText}${body ? `: ${body}` : ''}`.trim());
}

/**
 * A response's body, refused as soon as it is known to be over `maxBytes` (by its declared length,
 * or by what arrives, which a registry may misstate).
 */
export async function bodyWithin(response: Response, maxBytes: number, what: string): Promise<Uint8Array> {
  const tooLarge = () => new HostError('ARTIFACT_TOO_LARGE', `${what} is larger than the ${maxBytes}-byte limit`);
  if (!response.body) return new Uint8Array();
  if (Number(response.headers.get('content-length') ?? 0) > maxBytes) {
    await response.body.cancel();
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let received = 0;
  for await (const chunk of response.body) {
    received += chunk.length;
    if (received > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * Uploads `bytes` as a blob of `repository` (one POST, one PUT), unless the registry has it
 * already, and gives its digest. The upload URL the registry answers with must be on the registry
 * itself: the credentials are never sent anywhere else.
 */
export async function pushBlob(access: RegistryAccess, repository: string, bytes: Uint8Array): Promise<string> {
  const digest = sha256Digest(bytes);
  const blobUrl = `${access.baseUrl}/v2/${repository}/blobs/${digest}`;
  const existing = await fetch(blobUrl, { method: 'HEAD', headers: headersOf(access) });
  if (existing.status === 200) return digest;
  const started = await fetch(`${access.baseUrl}/v2/${repository}/blobs/uploads/`, { method: 'POST', headers: headersOf(access) });
  if (started.status !== 202) throw await refused(`starting an upload to ${repository}`, started);
  const location = new URL(started.headers.get('location') ?? '', access.baseUrl);
  if (location.origin !== new URL(access.baseUrl).origin) {
    throw new HostError('ARTIFACT_REGISTRY_REFUSED', `the registry at ${access.baseUrl} sent the upload to ${location.origin}, another server: refused`);
  }
  location.searchParams.set('digest', digest);
  const put = await fetch(location, { method: 'PUT', headers: headersOf(access, { 'content-type': 'application/octet-stream' }), body: bytes });
  if (put.status !== 201) throw await refused(`uploading ${digest} to ${repository}`, put);
  return digest;
}

/**
 * The blob `digest` of `repository`, at most `maxBytes` of it, checked against its digest before
 * anything else reads it: a registry (or anyone on the way) that serves other bytes is refused.
 */
export async function fetchBlob(access: RegistryAccess, repository: string, digest: string, maxBytes: number): Promise<Uint8Array> {
  const where = `${repository}@${digest}`;
  const response = await fetch(`${access.baseUrl}/v2/${repository}/blobs/${digest}`, { headers: headersOf(access) });
  if (response.status !== 200) throw await refused(`fetching ${where}`, response);
  const bytes = await bodyWithin(response, maxBytes, where);
  const actual = sha256Digest(bytes);
  if (actual !== digest) throw new HostError('ARTIFACT_DIGEST_MISMATCH', `${where}: the registry served bytes whose digest is ${actual}`);
  return bytes;
}
