import { createHash } from 'node:crypto';
import { HostError } from '../errors.ts';
import { refused, type RegistryClient } from './registry-client.ts';
import type { FetchProgress } from './timed-fetch.ts';

export const sha256Digest = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/**
 * Uploads `bytes` as a blob of `repository` (one POST, one PUT), unless the registry has it
 * already, and gives its digest. The upload URL the registry answers with must be on the registry
 * itself: the credentials are never sent anywhere else.
 */
export async function pushBlob(client: RegistryClient, repository: string, bytes: Uint8Array): Promise<string> {
  const digest = sha256Digest(bytes);
  const existing = await client.send(`/v2/${repository}/blobs/${digest}`, { method: 'HEAD' }, `looking for ${repository}@${digest}`);
  existing.discard();
  if (existing.response.status === 200) return digest;
  const started = await client.send(`/v2/${repository}/blobs/uploads/`, { method: 'POST' }, `starting an upload to ${repository}`);
  if (started.response.status !== 202) throw await refused(`starting an upload to ${repository}`, started);
  started.discard();
  const location = new URL(started.response.headers.get('location') ?? '', client.baseUrl);
  if (location.origin !== new URL(client.baseUrl).origin) {
    throw new HostError('ARTIFACT_REGISTRY_REFUSED', `the registry at ${client.baseUrl} sent the upload to ${location.origin}, another server: refused`);
  }
  location.searchParams.set('digest', digest);
  const what = `uploading ${digest} to ${repository}`;
  const put = await client.send(location, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: bytes }, what);
  if (put.response.status !== 201) throw await refused(what, put);
  put.discard();
  return digest;
}

/**
 * The blob `digest` of `repository`, at most `maxBytes` of it, checked against its digest before
 * anything else reads it: a registry (or anyone on the way) that serves other bytes is refused.
 */
export async function fetchBlob(client: RegistryClient, repository: string, digest: string, maxBytes: number, progress?: FetchProgress): Promise<Uint8Array> {
  const where = `${repository}@${digest}`;
  const answer = await client.send(`/v2/${repository}/blobs/${digest}`, {}, `fetching ${where}`);
  if (answer.response.status !== 200) throw await refused(`fetching ${where}`, answer);
  const bytes = await answer.body(maxBytes, where, progress);
  const actual = sha256Digest(bytes);
  if (actual !== digest) throw new HostError('ARTIFACT_DIGEST_MISMATCH', `${where}: the registry served bytes whose digest is ${actual}`);
  return bytes;
}
