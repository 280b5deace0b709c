import { HostError } from '../errors.ts';

/**
 * `oci://<registry>/<repository>[:<tag>][@sha256:<hex>]`, as `wash push` and wasmCloud manifests
 * write them, read by the grammar of the distribution project's references. The registry is always
 * named: there is no default registry to fall back on, so a reference never reaches one by accident.
 */
export interface OciReference {
  /** `host[:port]`, a bracketed IPv6 address allowed. */
  readonly registry: string;
  /** Lower-case path components joined by `/`, e.g. `badger/oled-ticker`. */
  readonly repository: string;
  readonly tag?: string;
  /** `sha256:` and 64 lower-case hex digits: what the manifest must hash to. */
  readonly digest?: string;
}

export const OCI_SCHEME = 'oci://';

const REGISTRY = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*)(?::([0-9]{1,5}))?$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
/** The distribution project's limit on a repository name. */
const MAX_REPOSITORY = 255;

const bad = (text: string, why: string) => new HostError('ARTIFACT_BAD_REFERENCE', `${text} is not an OCI reference: ${why} (write oci://<registry>/<repository>:<tag> or …@sha256:<digest>)`);

/** Whether `text` names an OCI artifact at all (it may still be malformed). */
export const isOciReference = (text: string) => text.startsWith(OCI_SCHEME);

export function parseOciReference(text: string): OciReference {
  if (!isOciReference(text)) throw bad(text, `it does not begin with ${OCI_SCHEME}`);
  let rest = text.slice(OCI_SCHEME.length);
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw bad(text, `the digest "${digest}" is not sha256: and 64 lower-case hex digits`);
  }
  const slash = rest.indexOf('/');
  if (slash <= 0) throw bad(text, 'it names no registry');
  const registry = rest.slice(0, slash);
  const port = REGISTRY.exec(registry)?.[1];
  if (!REGISTRY.test(registry) || (port !== undefined && Number(port) > 65_535)) throw bad(text, `"${registry}" is not a registry host[:port]`);
  let path = rest.slice(slash + 1);
  let tag: string | undefined;
  // A colon after the last slash begins the tag (one before it belongs to the registry's port).
  const colon = path.lastIndexOf(':');
  if (colon > path.lastIndexOf('/')) {
    tag = path.slice(colon + 1);
    path = path.slice(0, colon);
    if (!TAG.test(tag)) throw bad(text, `the tag "${tag}" is not letters, digits, _ . - (at most 128, not beginning with . or -)`);
  }
  if (path === '') throw bad(text, 'it names no repository');
  if (path.length > MAX_REPOSITORY) throw bad(text, `the repository is longer than ${MAX_REPOSITORY} characters`);
  const component = path.split('/').find((part) => !PATH_COMPONENT.test(part));
  if (component !== undefined) throw bad(text, `"${component}" is not a repository path component (lower-case letters and digits, joined by . _ __ or -)`);
  if (tag === undefined && digest === undefined) throw bad(text, 'it names neither a tag nor a digest');
  return { registry, repository: path, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) };
}

export function formatOciReference(reference: OciReference): string {
  return `${OCI_SCHEME}${reference.registry}/${reference.repository}${reference.tag === undefined ? '' : `:${reference.tag}`}${reference.digest === undefined ? '' : `@${reference.digest}`}`;
}

/** The host part of `host[:port]`, without brackets. */
function hostOf(registry: string): string {
  if (registry.startsWith('[')) return registry.slice(1, registry.indexOf(']'));
  const colon = registry.lastIndexOf(':');
  return colon < 0 ? registry : registry.slice(0, colon);
}

/** A registry on this machine: plain HTTP to it stays on this machine. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = hostOf(registry).toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || /^127(?:\.[0-9]{1,3}){3}$/.test(host) || host === '::1';
}

/**
 * How to reach a registry: HTTPS, unless it is on loopback or the user said `--insecure` (then
 * plain HTTP, as wash and docker do for such registries). A plain-HTTP registry elsewhere would
 * let anyone on the path swap the artifact's bytes before its digest is known.
 */
export function registryBaseUrl(registry: string, insecure: boolean): string {
  return `${insecure || isLoopbackRegistry(registry) ? 'http' : 'https'}://${registry}`;
}
